#!/usr/bin/env python3
"""Small MUC client for it-tests/jitsi-interop/run.sh (python3-slixmpp from Debian).

Logs in (anonymously, or with --user/--password), joins one room under a nickname and prints one line
per event, flushed at once:
  JOINED role=R affiliation=A      self-presence (status 110) arrived
  OCCUPANT nick=N role=R           presence of another occupant
  ERROR condition=C text=T         the join was refused (presence error)
  NOT_JOINED after=S               no self-presence within --timeout (e.g. held in a pre-join queue)
  DESTROYED reason=R               the room was destroyed while we were in it
  LOGIN_FAILED / DISCONNECTED
With --hold it stays in the room until killed (SIGTERM) or disconnected; otherwise it leaves after the outcome.
Exit status: 0 joined, 2 refused or login failed, 3 not joined in time.
"""
import argparse
import asyncio
import logging
import signal
import sys

import slixmpp

MUC = 'http://jabber.org/protocol/muc'
MUC_USER = 'http://jabber.org/protocol/muc#user'


def say(line):
    print(line, flush=True)


class Client(slixmpp.ClientXMPP):
    def __init__(self, args):
        jid = f'{args.user}@{args.domain}/{args.resource}' if args.user else args.domain
        super().__init__(jid, args.password or '')
        self.args = args
        self.outcome = None
        self.done = asyncio.Event()
        self.gone = asyncio.Event()
        self['feature_mechanisms'].unencrypted_plain = True
        self.add_event_handler('session_start', self.on_start)
        self.add_event_handler('failed_auth', self.on_failed_auth)
        self.add_event_handler('disconnected', self.on_disconnected)
        self.register_handler(slixmpp.xmlstream.handler.Callback(
            'muc presence', slixmpp.xmlstream.matcher.MatchXPath('{jabber:client}presence'), self.on_presence))

    def finish(self, code):
        if self.outcome is None:
            self.outcome = code
            self.done.set()

    async def on_start(self, _):
        say(f'LOGGED_IN jid={self.boundjid.full}')
        join = self.make_presence(pto=f'{self.args.room}/{self.args.nick}')
        join.append(slixmpp.xmlstream.ET.Element(f'{{{MUC}}}x'))
        join.send()
        try:
            await asyncio.wait_for(self.done.wait(), self.args.timeout)
        except asyncio.TimeoutError:
            say(f'NOT_JOINED after={self.args.timeout}')
            self.finish(3)

    def on_failed_auth(self, _):
        say('LOGIN_FAILED')
        self.finish(2)

    def on_disconnected(self, _):
        say('DISCONNECTED')
        self.finish(2)
        self.gone.set()

    def on_presence(self, pres):
        frm = pres['from']
        if frm.bare != self.args.room:
            return
        if pres['type'] == 'error':
            cond = pres['error']['condition']
            say(f"ERROR condition={cond} text={pres['error']['text']!r} xml={pres.xml and slixmpp.xmlstream.tostring(pres.xml)}")
            self.finish(2)
            return
        x = pres.xml.find(f'{{{MUC_USER}}}x')
        codes = set()
        role = affiliation = None
        if x is not None:
            codes = {s.get('code') for s in x.findall(f'{{{MUC_USER}}}status')}
            item = x.find(f'{{{MUC_USER}}}item')
            if item is not None:
                role, affiliation = item.get('role'), item.get('affiliation')
            destroy = x.find(f'{{{MUC_USER}}}destroy')
            if destroy is not None:
                say(f"DESTROYED reason={destroy.findtext(f'{{{MUC_USER}}}reason')!r}")
                return
        if '110' in codes:
            if pres['type'] != 'unavailable':
                say(f'JOINED role={role} affiliation={affiliation}')
                self.finish(0)
        else:
            state = 'left' if pres['type'] == 'unavailable' else 'present'
            say(f'OCCUPANT nick={frm.resource} role={role} state={state}')


async def main(args):
    client = Client(args)
    client.connect((args.host, args.port), use_ssl=False, force_starttls=False, disable_starttls=True)
    await client.done.wait()
    code = client.outcome
    if args.hold and code == 0:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        loop.add_signal_handler(signal.SIGINT, stop.set)
        await asyncio.wait([asyncio.ensure_future(stop.wait()), asyncio.ensure_future(client.gone.wait())],
                           return_when=asyncio.FIRST_COMPLETED)
    client.disconnect()
    await asyncio.sleep(0.2)
    return code


if __name__ == '__main__':
    p = argparse.ArgumentParser()
    p.add_argument('--host', required=True)
    p.add_argument('--port', type=int, required=True)
    p.add_argument('--domain', required=True, help='XMPP domain to log in to (anonymous if no --user)')
    p.add_argument('--user')
    p.add_argument('--password')
    p.add_argument('--resource', default='interop')
    p.add_argument('--room', required=True)
    p.add_argument('--nick', required=True)
    p.add_argument('--timeout', type=float, default=10)
    p.add_argument('--hold', action='store_true')
    p.add_argument('--debug', action='store_true')
    a = p.parse_args()
    logging.basicConfig(level=logging.DEBUG if a.debug else logging.ERROR)
    sys.exit(asyncio.run(main(a)))
