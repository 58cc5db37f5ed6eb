#!/usr/bin/env python3
"""Points Jicofo's visitor call sites at the library (integrations/jicofo/build.sh runs this).

Every edit is found by an anchor: a piece of Jicofo's own text at the pinned commit (PINNED_COMMIT) that must
occur exactly once in its file (or once after a scope anchor). Any anchor that is missing or ambiguous stops the
build with the file and the anchor, so an update of the pinned commit shows what to redo. The edits only add calls
to org.jitsi.jicofo.admission.JicofoAdmission (src/, copied in by build.sh) and a parameter that lets Jicofo's own
selectVisitorNode join the node the library chose; no Jicofo code is copied here.

Usage: patch.py JICOFO_SOURCE_TREE LIBRARY_VERSION
"""
import pathlib
import sys

GLUE = "org.jitsi.jicofo.admission.JicofoAdmission"


class Edit:
    def __init__(self, anchor, replacement=None, before=None, after=None, scope=None, why=""):
        self.anchor, self.replacement, self.before, self.after, self.scope, self.why = (
            anchor, replacement, before, after, scope, why)


def apply(path, edits):
    text = path.read_text()
    for e in edits:
        start, end = 0, len(text)
        if e.scope is not None:
            if text.count(e.scope) != 1:
                sys.exit(f"{path}: scope anchor found {text.count(e.scope)} times (want 1): {e.scope!r}")
            # The scope is a nested class: it ends where the next one starts.
            start = text.index(e.scope)
            following = text.find("\n    private class ", start + len(e.scope))
            end = following if following >= 0 else len(text)
        found = text.count(e.anchor, start, end)
        if found != 1:
            where = "in its scope " if e.scope is not None else ""
            sys.exit(f"{path}: anchor found {found} times {where}(want 1) for '{e.why}': {e.anchor!r}")
        i = text.index(e.anchor, start, end)
        if e.replacement is not None:
            new = e.replacement
        else:
            new = (e.before or "") + e.anchor + (e.after or "")
        text = text[:i] + new + text[i + len(e.anchor):]
    path.write_text(text)
    print(f"patched {path} ({len(edits)} edits)")


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: patch.py JICOFO_SOURCE_TREE LIBRARY_VERSION")
    tree, version = pathlib.Path(sys.argv[1]), sys.argv[2]
    java = tree / "jicofo/src/main/java/org/jitsi/jicofo/conference/JitsiMeetConferenceImpl.java"
    kotlin = tree / "jicofo/src/main/kotlin/org/jitsi/jicofo"

    # 1. The library as a dependency of the jicofo module (its jars then land in the dist's lib/).
    apply(tree / "jicofo/pom.xml", [Edit(
        "\n  <dependencies>\n", after=f"""    <!-- confgate admission (integrations/jicofo) -->
    <dependency>
      <groupId>io.confgate</groupId>
      <artifactId>admission-core</artifactId>
      <version>{version}</version>
    </dependency>
    <dependency>
      <groupId>io.confgate</groupId>
      <artifactId>admission-config</artifactId>
      <version>{version}</version>
    </dependency>
""", why="dependency")])

    # 2. Started with Jicofo's services, once the XMPP connections exist; stopped with them.
    apply(kotlin / "JicofoServices.kt", [
        Edit("        it.clientConnection.addListener(focusManager)\n    }\n", after=f"""
    /** confgate admission: the library places, balances and counts visitors and links their nodes. */
    private val admission = {GLUE}.start(focusManager, xmppServices)
""", why="start"),
        Edit("    fun shutdown() {\n", after=f"        {GLUE}.stop()\n", why="stop"),
    ])

    # 3. The conference request: where Jicofo called redirectVisitor, the library decides.
    apply(kotlin / "xmpp/ConferenceIqHandler.kt", [Edit(
        """        val vnode = if (visitorSupported && visitorsManager.enabled && (visitorRequested || !preferredInMainRoom)) {
            conference.redirectVisitor(
                visitorRequested || !allowedInMainRoom,
                userId,
                groupId
            )
        } else {
            null
        }
""", replacement=f"""        // confgate admission: main room or visitor node, by the library (integrations/jicofo)
        val vnode = {GLUE}.place(
            conference, query, response, userId, groupId, visitorSupported, visitorRequested, visitorsManager.enabled
        )
""", why="decision")])

    # 4. JitsiMeetConferenceImpl: what Jicofo sees, and its own node-room join for the node the library chose.
    main_listener = "    private class ChatRoomListenerImpl implements ChatRoomListener\n"
    visitor_listener = "    private class VisitorChatRoomListenerImpl extends DefaultChatRoomListener\n"
    apply(java, [
        Edit("""        {
            // Run in the IO pool because feature discovery may send disco#info and block for a response, and shouldn't
            // run in Smack's thread.
            TaskPools.getIoPool().submit(() -> {
                Span span = tracer.spanBuilder("conference.member-joined")""",
             before="", after="", scope=main_listener, why="main joined (scope)",
             replacement=f"""        {{
            {GLUE}.mainJoined(roomName, member);
            // Run in the IO pool because feature discovery may send disco#info and block for a response, and shouldn't
            // run in Smack's thread.
            TaskPools.getIoPool().submit(() -> {{
                Span span = tracer.spanBuilder("conference.member-joined")"""),
        Edit("""        public void memberKicked(@NotNull ChatRoomMember member)
        {
            onMemberKicked(member);""", scope=main_listener, why="main kicked", replacement=f"""        public void memberKicked(@NotNull ChatRoomMember member)
        {{
            {GLUE}.mainLeft(roomName, member);
            onMemberKicked(member);"""),
        Edit("""            Span span = tracer.spanBuilder("conference.member-left")""", scope=main_listener, why="main left",
             before=f"            {GLUE}.mainLeft(roomName, member);\n"),
        Edit("""                logger.debug("Ignoring non-visitor member of visitor room: " + member);
                return;
            }
""", scope=visitor_listener, why="visitor joined", after=f"            {GLUE}.visitorJoined(roomName, chatRoom, member);\n"),
        Edit("""                logger.debug("Member kicked for non-visitor member of visitor room: " + member);
                return;
            }
""", scope=visitor_listener, why="visitor kicked", after=f"            {GLUE}.visitorLeft(roomName, chatRoom, member);\n"),
        Edit("""                logger.debug("Member left for non-visitor member of visitor room: " + member);
                return;
            }
""", scope=visitor_listener, why="visitor left", after=f"            {GLUE}.visitorLeft(roomName, chatRoom, member);\n"),
        Edit("""            if (chatRoomToLeave != null)
            {
                ChatRoom finalChatRoom = chatRoomToLeave;""", scope=visitor_listener,
             why="visitor room destroyed (once Jicofo forgot it)",
             before=f"            {GLUE}.visitorRoomDestroyed(roomName, chatRoom);\n"),
        Edit("""                if (vnode != null)
                {
                    xmppServices.getVisitorsManager().sendIqToComponent(""", scope=visitor_listener,
             why="no second disconnect-vnode", replacement="""                if (vnode != null && !""" + GLUE + """.linksNodes())
                {
                    xmppServices.getVisitorsManager().sendIqToComponent("""),
        Edit("            return selectVisitorNode();\n", replacement="            return selectVisitorNode(null);\n",
             why="redirectVisitor's own choice"),
        Edit("    private String selectVisitorNode()\n", replacement="    private String selectVisitorNode(@Nullable String admissionNode)\n",
             why="node chosen by the library"),
        Edit("            node = ConferenceUtilKt.selectVisitorNode(\n",
             replacement="            node = admissionNode != null ? admissionNode : ConferenceUtilKt.selectVisitorNode(\n",
             why="node chosen by the library"),
        Edit("        if (this.visitorsBroadcastEnabled)\n",
             replacement="        if (this.visitorsBroadcastEnabled && admissionNode == null)\n",
             why="connect-vnode sent by the library when no member answered main is on its way"),
        Edit("    private void onBridgeUp(Jid bridgeJid)\n", before="""    /**
     * confgate admission (integrations/jicofo): joins (creating) this conference's room on visitor node {@code node}
     * through selectVisitorNode, without its connect-vnode (the library sends that once no member answered "main
     * room" is on its way). Returns how many members are in the room.
     */
    public int admissionOpenVisitorRoom(String node)
        throws Exception
    {
        selectVisitorNode(node);
        ChatRoom room;
        synchronized (visitorChatRooms)
        {
            room = visitorChatRooms.get(node);
            if (room != null && !room.isJoined())
            {
                visitorChatRooms.remove(node); // a join that failed: the next attempt joins again
            }
        }
        if (room == null || !room.isJoined())
        {
            throw new IllegalStateException("Not in the visitor room on node " + node);
        }
        // The room's presences are processed in order on its task queue: once a task queued now has run, the
        // occupants present at the join are counted.
        java.util.concurrent.CountDownLatch counted = new java.util.concurrent.CountDownLatch(1);
        room.queueXmppTask(() -> {
            counted.countDown();
            return kotlin.Unit.INSTANCE;
        });
        if (!counted.await(5, java.util.concurrent.TimeUnit.SECONDS))
        {
            throw new IllegalStateException("The visitor room on node " + node + " did not settle");
        }
        return room.getMemberCount();
    }

    /** confgate admission: leaves this conference's room on visitor node {@code node} (the library dropped the link). */
    public void admissionLeaveVisitorRoom(String node)
    {
        ChatRoom room;
        synchronized (visitorChatRooms)
        {
            room = visitorChatRooms.remove(node);
        }
        if (room != null)
        {
            room.removeAllListeners();
            room.leave();
        }
    }

""", why="admission methods"),
    ])

    # 5. The adapter itself.
    target = kotlin / "admission/JicofoAdmission.kt"
    target.parent.mkdir(parents=True, exist_ok=True)
    source = pathlib.Path(__file__).resolve().parent / "src/org/jitsi/jicofo/admission/JicofoAdmission.kt"
    target.write_text(source.read_text())
    print(f"added {target}")


if __name__ == "__main__":
    main()
