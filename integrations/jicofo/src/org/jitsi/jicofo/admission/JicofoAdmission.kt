/*
 * Part of confgate admission (integrations/jicofo), not of Jicofo: build.sh copies this file into a Jicofo source
 * tree and points Jicofo's visitor call sites at it. It adapts Jicofo's types to the library's FocusAdmission
 * facade and keeps no rules of its own.
 */
package org.jitsi.jicofo.admission

import com.typesafe.config.ConfigFactory
import io.confgate.admission.Decision
import io.confgate.admission.JoinRequest
import io.confgate.admission.MemberKind
import io.confgate.admission.Reason
import io.confgate.admission.RoomFacts
import io.confgate.admission.VisitorNode
import io.confgate.admission.config.EngineSettings
import io.confgate.admission.core.FocusAdmissions
import io.confgate.admission.focus.FocusAdmission
import io.confgate.admission.link.ComponentErrorException
import io.confgate.admission.link.NodeRoom
import io.confgate.admission.link.VisitorsComponent
import org.jitsi.jicofo.ConferenceStore
import org.jitsi.jicofo.FocusManager
import org.jitsi.jicofo.conference.JitsiMeetConference
import org.jitsi.jicofo.conference.JitsiMeetConferenceImpl
import org.jitsi.jicofo.xmpp.XmppProvider
import org.jitsi.jicofo.xmpp.XmppServices
import org.jitsi.jicofo.xmpp.muc.ChatRoom
import org.jitsi.jicofo.xmpp.muc.ChatRoomMember
import org.jitsi.utils.logging2.createLogger
import org.jitsi.xmpp.extensions.jitsimeet.ConferenceIq
import org.jitsi.xmpp.extensions.visitors.ConnectVnodePacketExtension
import org.jitsi.xmpp.extensions.visitors.DisconnectVnodePacketExtension
import org.jivesoftware.smack.packet.ExtensionElement
import org.jivesoftware.smack.packet.IQ
import org.jxmpp.jid.EntityBareJid
import java.util.concurrent.TimeoutException

/**
 * Jicofo's side of the library: one function per call site that build.sh patches in. The library decides where a
 * participant goes (main room or which visitor node), counts the main room and the node rooms from the members
 * Jicofo sees, and says when a node may be connected; Jicofo keeps its XMPP and media, and joins node rooms and
 * sends connect-vnode / disconnect-vnode when the library's linker asks.
 */
object JicofoAdmission {
    private val logger = createLogger()

    @Volatile
    private var facade: FocusAdmission? = null

    /** Builds the facade from jicofo.conf (Jicofo's keys, and ours under admission.*) and hooks Jicofo's events. */
    @JvmStatic
    fun start(focusManager: FocusManager, xmppServices: XmppServices): FocusAdmission {
        // The same file Jicofo reads (-Dconfig.file) over every reference.conf, then the library's defaults.
        val config = EngineSettings.withDefaults(ConfigFactory.load())
        val admission = EngineSettings.admission(config)
        val builder = FocusAdmissions.builder(admission, Rooms(focusManager), Component(xmppServices))
            .linkSettings(EngineSettings.links(config))
        EngineSettings.storePath(config).ifPresent { builder.store(it, EngineSettings.storeWriteInterval(config)) }
        val built = builder.build()
        facade = built
        focusManager.addListener(object : ConferenceStore.Listener {
            override fun conferenceEnded(name: EntityBareJid) {
                // Jicofo's own health-check conferences never asked the library anything.
                if (built.engine().occupancy(name).isPresent) {
                    built.conferenceEnded(name)
                }
            }
        })
        xmppServices.visitorConnections.forEach { provider ->
            val node = provider.config.name
            // The listener first, then the state: a login between the two would otherwise be missed for good.
            provider.addListener(object : XmppProvider.Listener {
                override fun registrationChanged(registered: Boolean) = built.nodeConnection(node, registered)
            })
            built.nodeConnection(node, provider.registered)
        }
        logger.info(
            "confgate admission: placement, balancing and node links by the library: " +
                "max-participants=${admission.maxParticipants()}, nodes=${admission.nodes().map { it.id() }}, " +
                "seat-grace=${admission.seatGrace()}, visitors-enabled=${admission.enabled()}"
        )
        return built
    }

    @JvmStatic
    fun stop() {
        facade?.close()
        facade = null
    }

    /** Whether the library sends connect-vnode / disconnect-vnode (Jicofo's own are then left out). */
    @JvmStatic
    fun linksNodes(): Boolean = facade != null

    /**
     * Where ConferenceIqHandler called redirectVisitor: the library's decision for this request. Returns the
     * visitor node, or null for the main room; a request the library cannot place now is answered ready=false,
     * which lib-jitsi-meet asks again after 1, 2, 4 ... seconds.
     */
    @JvmStatic
    fun place(
        conference: JitsiMeetConference,
        query: ConferenceIq,
        response: ConferenceIq,
        userId: String?,
        groupId: String?,
        visitorSupported: Boolean,
        visitorRequested: Boolean,
        componentAvailable: Boolean
    ): String? {
        val f = facade ?: return null
        f.visitorsComponent(componentAvailable)
        val request = JoinRequest.builder(conference.roomName)
            .sessionId(query.sessionId)
            .machineUid(query.machineUID)
            .userId(userId)
            .groupId(groupId)
            .supportsVisitors(visitorSupported)
            .visitorRequested(visitorRequested)
            .roomFacts(facts(conference, userId, groupId))
            .apply { query.from?.let { address(it) } }
            .build()
        return when (val decision = f.conferenceRequest(request)) {
            is Decision.Visitor -> decision.node().id()
            is Decision.Main -> null
            else -> {
                response.isReady = false
                if (decision.reason() == Reason.NOT_LIVE) {
                    response.addProperty(ConferenceIq.Property("live", "false"))
                }
                logger.info("Conference request for ${conference.roomName} answered ready=false: ${decision.reason()}")
                null
            }
        }
    }

    /**
     * What Jicofo knows of the room, as the library reads it: lobby, breakout, the visitors flag, the soft limit,
     * liveness, and where this user stands on the room's metadata lists (ChatRoom.isPreferredInMainRoom: on the
     * moderator or participant list; isAllowedInMainRoom: false when a participant list leaves the user out).
     */
    private fun facts(conference: JitsiMeetConference, userId: String?, groupId: String?): RoomFacts {
        val room = conference.chatRoom ?: return RoomFacts.builder().breakoutRoom(conference.mainRoomJid != null)
            .build()
        val facts = RoomFacts.builder()
            .lobbyEnabled(room.lobbyEnabled)
            .breakoutRoom(conference.mainRoomJid != null)
            .live(room.visitorsLive)
        room.visitorsEnabled?.let { facts.visitorsEnabled(it) }
        room.participantsSoftLimit?.takeIf { it > 0 }?.let { facts.participantSoftLimit(it) }
        val id = userId ?: groupId
        if (id != null && room.isPreferredInMainRoom(userId, groupId)) {
            facts.moderators(setOf(id))
        } else if (!room.isAllowedInMainRoom(userId, groupId)) {
            facts.participants(emptySet())
        }
        return facts.build()
    }

    /**
     * A member joined the main room (ChatRoomListenerImpl.memberJoined, on the room's own thread). Recorders and
     * transcribers are not counted, as Jicofo's getUserParticipantCount leaves them out (Jigasi counts there too);
     * the flags come from the member's presence, read without a disco#info.
     */
    @JvmStatic
    fun mainJoined(room: EntityBareJid, member: ChatRoomMember) {
        val kind = when {
            member.isJibri -> MemberKind.RECORDER
            member.isTranscriber -> MemberKind.TRANSCRIBER
            else -> MemberKind.NORMAL
        }
        facade?.mainMemberJoined(room, member.jid ?: member.occupantJid, kind)
    }

    /** A member left the main room or was kicked. */
    @JvmStatic
    fun mainLeft(room: EntityBareJid, member: ChatRoomMember) {
        facade?.mainMemberLeft(room, member.jid ?: member.occupantJid)
    }

    /** A visitor joined a node room (VisitorChatRoomListenerImpl.memberJoined, role visitor). */
    @JvmStatic
    fun visitorJoined(room: EntityBareJid, nodeRoom: ChatRoom, member: ChatRoomMember) {
        facade?.visitorJoined(room, nodeRoom.xmppProvider.config.name, member.jid ?: member.occupantJid)
    }

    /** A visitor left a node room or was kicked. */
    @JvmStatic
    fun visitorLeft(room: EntityBareJid, nodeRoom: ChatRoom, member: ChatRoomMember) {
        facade?.visitorLeft(room, nodeRoom.xmppProvider.config.name, member.jid ?: member.occupantJid)
    }

    /** A node room was destroyed (VisitorChatRoomListenerImpl.roomDestroyed). */
    @JvmStatic
    fun visitorRoomDestroyed(room: EntityBareJid, nodeRoom: ChatRoom) {
        facade?.nodeRoomDestroyed(room, nodeRoom.xmppProvider.config.name)
    }

    /** The conference's rooms on the nodes, held by Jicofo's own code (JitsiMeetConferenceImpl.selectVisitorNode). */
    private class Rooms(private val conferences: FocusManager) : NodeRoom {
        override fun open(room: EntityBareJid, node: VisitorNode): NodeRoom.Opened {
            val conference = conferences.getConference(room) as? JitsiMeetConferenceImpl
                ?: throw IllegalStateException("no conference for $room (yet)")
            // Jicofo cannot tell a room it created from an empty one it joined; both are handled alike.
            return if (conference.admissionOpenVisitorRoom(node.id()) > 0) {
                NodeRoom.Opened.OCCUPIED
            } else {
                NodeRoom.Opened.EMPTY
            }
        }

        override fun leave(room: EntityBareJid, node: VisitorNode) {
            (conferences.getConference(room) as? JitsiMeetConferenceImpl)?.admissionLeaveVisitorRoom(node.id())
        }
    }

    /** The visitors component through Jicofo's VisitorsManager (an IQ of type get from the client connection). */
    private class Component(private val xmpp: XmppServices) : VisitorsComponent {
        override fun connect(room: EntityBareJid, node: VisitorNode) =
            send(room, ConnectVnodePacketExtension(node.id()))

        override fun disconnect(room: EntityBareJid, node: VisitorNode) =
            send(room, DisconnectVnodePacketExtension(node.id()))

        private fun send(room: EntityBareJid, command: ExtensionElement) {
            val response = xmpp.visitorsManager.sendIqToComponentAndGetResponse(room, listOf(command))
                ?: throw TimeoutException("no answer from the visitors component for $room")
            if (response.type != IQ.Type.result) {
                throw ComponentErrorException("the visitors component answered ${response.toXML()}")
            }
        }
    }
}
