package io.confgate.admission.link;

import io.confgate.admission.VisitorNode;
import java.util.concurrent.TimeoutException;
import org.jxmpp.jid.EntityBareJid;

/**
 * The main Prosody's visitors component ({@code mod_visitors_component}), as the focus addresses it: an IQ of
 * type {@code get} from an admin account, {@code <visitors room='MAIN ROOM'><connect-vnode vnode='v1'/></visitors>}
 * (Jicofo's {@code VisitorsManager}). Calls block until the component's result.
 */
public interface VisitorsComponent {

    /**
     * {@code connect-vnode}: the main Prosody mirrors the main room to the node and unlocks the node's room
     * ({@code mod_visitors.lua} {@code connect_vnode}, {@code mod_fmuc.lua} on {@code connect}). From then on
     * the component refuses main-room joins that were not promoted.
     *
     * @throws TimeoutException        if no answer came (the component answers nothing for a room it does not know)
     * @throws ComponentErrorException if the component answered with an error
     * @throws Exception               on a connection that is down, or any other failure (the step is retried)
     */
    void connect(EntityBareJid room, VisitorNode node) throws Exception;

    /**
     * {@code disconnect-vnode}: the main Prosody forgets the node for this conference and tells the node,
     * which ends the conference's room there ({@code mod_visitors.lua} {@code disconnect_vnode}).
     *
     * @throws TimeoutException        if no answer came (the component knows no such room)
     * @throws ComponentErrorException if the component answered with an error
     * @throws Exception               on a connection that is down, or any other failure (the step is retried)
     */
    void disconnect(EntityBareJid room, VisitorNode node) throws Exception;
}
