#!/usr/bin/env python3
"""A crowd of Jitsi Meet web clients for it-tests/jitsi-interop/focus-proof.sh (python3-slixmpp from Debian).

Each participant does what lib-jitsi-meet does in the HTTP flow (modules/xmpp/moderator.js):
  1. POST /conference-request/v1 {room, machineUid, properties: {visitors-version: 1}}; an answer with
     ready=false is asked again after 1, 2, 4 ... s (lib-jitsi-meet's backoff); any non-200 ends it;
  2. ready and a vnode: it would be redirected to that node (recorded, not joined);
  3. ready without a vnode: it logs in anonymously on the main Prosody and joins room@<muc>/<nick>, and stays:
     self-presence (status 110) = JOINED; a presence error = REFUSED with its condition and text.
Arrivals: burst20 (waves of 20 at once), rate10 (one every 100 ms), one-then-burst20 (one joins first).
With --visitor-check, one participant sent to a node then joins that node's room anonymously (as the redirected
client does) and must get its self-presence.

Prints one JSON object (the outcome of every participant and the totals) on stdout once everyone settled, then
keeps every main participant in the room until --hold seconds have passed or SIGTERM.
"""
import argparse
import asyncio
import json
import logging
import random
import signal
import sys
import time
import urllib.error
import urllib.request

import slixmpp

MUC = 'http://jabber.org/protocol/muc'
MUC_USER = 'http://jabber.org/protocol/muc#user'


class MucJoin(slixmpp.ClientXMPP):
    """Logs in anonymously and joins one room; `result` is set once joined or refused."""

    def __init__(self, domain, room, nick):
        super().__init__(domain, '')
        self.room, self.nick = room, nick
        self.result = asyncio.get_event_loop().create_future()
        self.add_event_handler('session_start', self.on_start)
        self.add_event_handler('failed_auth', lambda _: self.settle(('LOGIN_FAILED', '')))
        self.add_event_handler('disconnected', lambda _: self.settle(('DISCONNECTED', '')))
        self.register_handler(slixmpp.xmlstream.handler.Callback(
            'presence', slixmpp.xmlstream.matcher.MatchXPath('{jabber:client}presence'), self.on_presence))

    def settle(self, value):
        if not self.result.done():
            self.result.set_result(value)

    async def on_start(self, _):
        join = self.make_presence(pto=f'{self.room}/{self.nick}')
        join.append(slixmpp.xmlstream.ET.Element(f'{{{MUC}}}x'))
        join.send()

    def on_presence(self, pres):
        if pres['from'].bare != self.room:
            return
        xml = pres.xml
        if pres['type'] == 'error':
            err = xml.find('{jabber:client}error')
            cond = ''
            text = ''
            if err is not None:
                for child in err:
                    tag = child.tag.split('}')[-1]
                    if tag == 'text':
                        text = child.text or ''
                    elif not cond:
                        cond = tag
            self.settle(('REFUSED', f'{cond}: {text}'))
            return
        x = xml.find(f'{{{MUC_USER}}}x')
        if x is not None and any(s.get('code') == '110' for s in x.findall(f'{{{MUC_USER}}}status')):
            self.settle(('JOINED', ''))


def post(url, body, timeout):
    data = json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, headers={'Content-Type': 'application/json'}, method='POST')
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors='replace')
    except Exception as e:  # connection refused, timeout
        return 0, repr(e)


class Participant:
    def __init__(self, index, args):
        self.index = index
        self.args = args
        self.machine_uid = '%032x' % random.getrandbits(128)
        self.nick = '%08x' % random.getrandbits(32)
        self.outcome = 'UNANSWERED'
        self.detail = ''
        self.retries = 0
        self.vnode = None
        self.xmpp = None
        self.answered_at = None
        self.first_answer = asyncio.Event()
        self.joined_after = None

    async def run(self):
        a = self.args
        delay = 1.0
        deadline = time.monotonic() + a.answer_timeout
        while True:
            status, text = await asyncio.to_thread(post, a.url, {
                'room': a.room, 'machineUid': self.machine_uid, 'properties': {'visitors-version': 1}}, 30)
            self.first_answer.set()
            if status != 200:
                self.outcome, self.detail = 'HTTP_ERROR', f'{status} {text[:120]}'
                return
            answer = json.loads(text)
            if answer.get('ready'):
                break
            self.retries += 1
            if time.monotonic() + delay > deadline:
                self.outcome, self.detail = 'UNANSWERED', f'ready=false {self.retries} times'
                return
            await asyncio.sleep(delay)  # lib-jitsi-meet: 1, 2, 4 ... s
            delay = min(delay * 2, 120)
        self.answered_at = time.monotonic()
        if answer.get('vnode'):
            self.outcome, self.vnode = 'VNODE', answer['vnode']
            return
        self.outcome = 'MAIN'
        self.xmpp = MucJoin(a.domain, a.room, self.nick)
        self.xmpp.connect(address=(a.host, a.port), force_starttls=False, disable_starttls=True)
        try:
            result, detail = await asyncio.wait_for(self.xmpp.result, a.join_timeout)
        except asyncio.TimeoutError:
            result, detail = 'NOT_JOINED', f'no self-presence in {a.join_timeout} s'
        self.outcome, self.detail = f'MAIN_{result}', detail
        self.joined_after = round(time.monotonic() - self.answered_at, 2)


async def visitor_check(args, node):
    domain = f'{node}.{args.domain}'
    room = args.room.replace(f'@conference.{args.domain}', f'@conference.{domain}')
    client = MucJoin(domain, room, '%08x' % random.getrandbits(32))
    client.connect(address=(args.node_host, args.node_port), force_starttls=False, disable_starttls=True)
    start = time.monotonic()
    try:
        result, detail = await asyncio.wait_for(client.result, args.visitor_timeout)
    except asyncio.TimeoutError:
        result, detail = 'NOT_JOINED', f'no self-presence in {args.visitor_timeout} s (held in the pre-join queue?)'
    return {'room': room, 'result': result, 'detail': detail, 'after': round(time.monotonic() - start, 2)}, client


async def main():
    p = argparse.ArgumentParser()
    p.add_argument('--url', required=True)
    p.add_argument('--room', required=True)
    p.add_argument('--domain', default='meet.jitsi')
    p.add_argument('--host', default='127.0.0.1')
    p.add_argument('--port', type=int, required=True)
    p.add_argument('--node-host', default='127.0.0.2')
    p.add_argument('--node-port', type=int, required=True)
    p.add_argument('--count', type=int, default=100)
    p.add_argument('--pattern', choices=['burst20', 'rate10', 'one-then-burst20'], default='burst20')
    p.add_argument('--answer-timeout', type=float, default=120)
    p.add_argument('--join-timeout', type=float, default=60)
    p.add_argument('--visitor-check', action='store_true')
    p.add_argument('--visitor-timeout', type=float, default=60)
    p.add_argument('--hold', type=float, default=600)
    args = p.parse_args()
    logging.basicConfig(level=logging.CRITICAL)

    people = [Participant(i, args) for i in range(args.count)]
    started = time.monotonic()
    tasks = []
    if args.pattern == 'rate10':
        for person in people:
            tasks.append(asyncio.create_task(person.run()))
            await asyncio.sleep(0.1)
    else:
        rest = people
        if args.pattern == 'one-then-burst20':
            await people[0].run()
            rest = people[1:]
        for wave in range(0, len(rest), 20):
            batch = [asyncio.create_task(person.run()) for person in rest[wave:wave + 20]]
            tasks += batch
            # The next 20 come once this wave's conference requests have their first answer.
            await asyncio.gather(*(person.first_answer.wait() for person in rest[wave:wave + 20]))
    await asyncio.gather(*tasks)

    totals = {}
    for person in people:
        key = person.outcome if not person.outcome.startswith('MAIN') else person.outcome
        totals[key] = totals.get(key, 0) + 1
    main_answers = sum(1 for person in people if person.outcome.startswith('MAIN'))
    report = {
        'pattern': args.pattern, 'room': args.room, 'participants': args.count,
        'main_answers': main_answers,
        'main_joined': totals.get('MAIN_JOINED', 0),
        'main_refused': totals.get('MAIN_REFUSED', 0),
        'main_not_joined': totals.get('MAIN_NOT_JOINED', 0),
        'vnode': {n: sum(1 for person in people if person.vnode == n) for n in {q.vnode for q in people if q.vnode}},
        'unanswered': totals.get('UNANSWERED', 0) + totals.get('HTTP_ERROR', 0),
        'asked_again': sum(1 for person in people if person.retries),
        'seconds': round(time.monotonic() - started, 1),
        'slowest_join_after_answer': max([person.joined_after or 0 for person in people] or [0]),
        'refusals': sorted({person.detail for person in people if person.outcome == 'MAIN_REFUSED'}),
        'errors': sorted({person.detail for person in people if person.outcome in ('HTTP_ERROR', 'UNANSWERED')})[:3],
    }
    visitor = None
    if args.visitor_check:
        nodes = [person.vnode for person in people if person.vnode]
        if nodes:
            report['visitor'], visitor = await visitor_check(args, nodes[0])
        else:
            report['visitor'] = {'result': 'NO_VISITOR', 'detail': 'nobody was sent to a node'}
    print(json.dumps(report), flush=True)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        await asyncio.wait_for(stop.wait(), args.hold)
    except asyncio.TimeoutError:
        pass
    for person in people:
        if person.xmpp is not None:
            person.xmpp.disconnect()
    if visitor is not None:
        visitor.disconnect()
    await asyncio.sleep(0.5)


if __name__ == '__main__':
    asyncio.run(main())
