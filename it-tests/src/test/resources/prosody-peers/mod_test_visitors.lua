-- Test peer for jitsi-meet resources/prosody-plugins/mod_visitors.lua, loaded on the main virtual host.
-- Written for the project's tests from a reading of the real module; it is not the real module.
--
-- What it reproduces:
--   * the disco identity the focus discovers the component by: mod_visitors.lua
--     `module:add_identity('component', 'visitors', 'visitors.'..module.host)`, in the main host's disco#info.
-- The connect/disconnect side (mod_visitors `connect_vnode` / `disconnect_vnode`) lives with the component
-- peer (mod_test_visitors_component.lua), which fires it in the same order.

module:add_identity("component", "visitors", "visitors." .. module.host);
