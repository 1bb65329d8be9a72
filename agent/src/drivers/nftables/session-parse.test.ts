import { describe, expect, it } from 'vitest'
import { parseAccelSessions, parseSessionLines } from './session-parse.js'

const flat = (parsed: ReturnType<typeof parseSessionLines>) =>
  parsed.sessions.map((s) => [s.login, s.prefix.text, s.ifname])

/** As accel-pppd's show_sessions.c prints it: centred names, `-+-` rule, CRLF, padded cells. */
const ACCEL = [
  ' ifname | username |     ip     |        ip6         |      ip6-dp      ',
  '--------+----------+------------+--------------------+------------------',
  ' ppp0   | alice    | 10.0.0.2   |                    |                  ',
  ' ppp1   | bob      | 10.0.0.3   | 2001:db8:1::5/64   | 2001:db8:100::/56',
  ' ppp2   |          | 10.0.0.4   |                    |                  ',
  ' ppp3   | carol    |            |                    |                  ',
  ' ppp4   | dave     | 2001:db8:2::9/64 |  |  ',
  '',
].join('\r\n')

describe('parseAccelSessions', () => {
  it('reads every address of each session, skipping sessions still being set up', () => {
    const parsed = parseAccelSessions(ACCEL)
    expect(parsed.bad).toEqual([])
    expect(flat(parsed)).toEqual([
      ['alice', '10.0.0.2', 'ppp0'],
      ['bob', '10.0.0.3', 'ppp1'],
      // The session's IPv6 address stands for its link's /64; the delegated prefix is its too.
      ['bob', '2001:db8:1::/64', 'ppp1'],
      ['bob', '2001:db8:100::/56', 'ppp1'],
      ['dave', '2001:db8:2::/64', 'ppp4'],
    ])
  })

  it('finds columns by their header names, in any order, with LF or CRLF', () => {
    const text = ' username | ip | ifname \n----------+----+--------\n alice | 10.0.0.2 | ppp0 \n'
    expect(flat(parseAccelSessions(text))).toEqual([['alice', '10.0.0.2', 'ppp0']])
  })

  it('reads a table with no sessions as none', () => {
    const text = ' ifname | username | ip | ip6 | ip6-dp \r\n--------+----------+----+-----+--------\r\n'
    expect(parseAccelSessions(text)).toEqual({ sessions: [], bad: [] })
  })

  it('says which lines it cannot read and keeps the others', () => {
    const text = [
      ' ifname | username | ip ',
      '--------+----------+----',
      ' ppp0 | alice | 10.0.0.2 ',
      ' ppp1 | b|ob | 10.0.0.3 ',
      ' ppp2 | carol | 10.0.0.999 ',
      ' ppp3 | dave | 127.0.0.5 ',
      ' ppp4 | erin | 10.0.0.6 ',
    ].join('\n')
    const parsed = parseAccelSessions(text)
    expect(flat(parsed)).toEqual([
      ['alice', '10.0.0.2', 'ppp0'],
      ['erin', '10.0.0.6', 'ppp4'],
    ])
    expect(parsed.bad).toHaveLength(3)
    expect(parsed.bad[0]).toMatch(/"ppp1 \| b\|ob \| 10\.0\.0\.3": 4 cells, the header has 3/)
    expect(parsed.bad[1]).toMatch(/ppp2.*ip "10\.0\.0\.999" is not an IPv4 or IPv6/)
    expect(parsed.bad[2]).toMatch(/ppp3.*loopback/)
  })

  it('refuses output that is not a session table, quoting it', () => {
    expect(() => parseAccelSessions('')).toThrow(/accel-cmd printed nothing/)
    expect(() => parseAccelSessions('unknown column ip6-dp\r\n')).toThrow(
      /did not print a session table: "unknown column ip6-dp"/,
    )
    // A table without the username or ip column cannot say whose address is whose.
    expect(() => parseAccelSessions(' ifname | ip \n------+----\n ppp0 | 10.0.0.2 \n')).toThrow(
      /did not print a session table/,
    )
  })
})

describe('parseSessionLines', () => {
  it('reads login, address and an optional interface per line', () => {
    const text = '# login address ifname\nalice 10.0.0.2 ppp0\n\n  bob\t2001:db8::7  \r\ncarol 10.0.1.0/30\n'
    const parsed = parseSessionLines(text)
    expect(parsed.bad).toEqual([])
    expect(flat(parsed)).toEqual([
      ['alice', '10.0.0.2', 'ppp0'],
      ['bob', '2001:db8::7', undefined],
      ['carol', '10.0.1.0/30', undefined],
    ])
  })

  it('reads empty output as no session at all', () => {
    expect(parseSessionLines('')).toEqual({ sessions: [], bad: [] })
    expect(parseSessionLines('\n  \n# none\n')).toEqual({ sessions: [], bad: [] })
  })

  it('says which lines it cannot read and keeps the others', () => {
    const parsed = parseSessionLines(
      'alice\nbob 10.0.0.3 ppp1 extra\ncarol not-an-ip\ndave 0.0.0.0/0\nerin 10.0.0.6\nerin 10.0.0.6 ppp9\n',
    )
    // A session printed twice counts once.
    expect(flat(parsed)).toEqual([['erin', '10.0.0.6', undefined]])
    expect(parsed.bad).toEqual([
      '"alice": expected "login address [ifname]"',
      '"bob 10.0.0.3 ppp1 extra": expected "login address [ifname]"',
      expect.stringMatching(/^"carol not-an-ip": .*not an IPv4 or IPv6/),
      expect.stringMatching(/^"dave 0\.0\.0\.0\/0": .*catch-all/),
    ])
  })
})
