/**
 * Usage alerts by e-mail, end to end: the real controller process, a real SMTP server, usage
 * driven through the agent protocol. Usage passes 50 % and then 90 % of a plan with
 * `notifyAtPercent: [50, 90]`, with repeated batches, a state report, the controller SIGKILLed
 * and restarted between the two (and again once the second is decided while the SMTP relay is
 * down), and more usage under a new journal epoch: exactly two e-mails arrive, each with the
 * figures of its moment.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { billingPeriod } from '@capd/protocol'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { header, part, type ReceivedMail, SmtpSink } from '../../controller/src/testing/smtp-sink.js'
import { connectAgent, hello, stateReport, type TestAgent } from '../../controller/src/testing/test-agent.js'
import { apiClient, type Call } from './support/api-client.js'
import { type ControllerProcess, killAllControllers, startController } from './support/controller-process.js'
import { waitFor } from './support/wait-for.js'

const TOKEN = 'notify-e2e-admin-token-0123456789'
const CAP = 1_000_000_000
const MB = 1_000_000

let dataDir: string
let sink: SmtpSink

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'capd-notify-'))
  sink = await new SmtpSink().start()
})

afterAll(async () => {
  await killAllControllers()
  await sink?.stop()
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
})

describe('usage alerts by e-mail', () => {
  it('sends exactly one e-mail per threshold across repeats, a SIGKILL and a new epoch', async () => {
    const start = () =>
      startController({
        dataDir,
        env: {
          CAPD_BOOTSTRAP_TOKEN: TOKEN,
          CAPD_SMTP_URL: sink.url(),
          CAPD_MAIL_FROM: 'Test ISP <noc@isp.test>',
        },
      })
    let controller = await start()
    let call = apiClient(controller.baseUrl, TOKEN)
    const { agent, subscriberId } = await seed(call)
    const periodStart = new Date(billingPeriod(Date.now(), 1, 'UTC').startMs).toISOString()
    const batch = (epoch: string, entries: [number, number][]) => ({
      v: 1,
      type: 'usage',
      epoch,
      entries: entries.map(([seq, down]) => ({
        seq,
        subscriberId,
        periodStart,
        down,
        up: 0,
        atMs: Date.now(),
      })),
    })

    let client = await greet(controller, agent, 'epoch-a', 0)
    // 30 %, then 55 %: past 50.
    await sendUsage(client, batch('epoch-a', [[1, 300 * MB]]), 1)
    await sendUsage(client, batch('epoch-a', [[2, 250 * MB]]), 2)
    // The same batches again, and what the agent says it enforces: nothing new to decide.
    await sendUsage(
      client,
      batch('epoch-a', [
        [1, 300 * MB],
        [2, 250 * MB],
      ]),
      2,
    )
    client.send(stateReport(subscriberId, 'open', 1, 550 * MB))
    await waitFor('the 50 % e-mail arrives', () => sink.received.length >= 1, { timeoutMs: 15_000 })

    // The relay goes down before 90 % is crossed; the controller is killed twice around it, once
    // with the e-mail decided but not sent: the outbox on disk still sends it, once.
    await sink.stop()
    await controller.kill()
    client.close()
    controller = await start()
    client = await greet(controller, agent, 'epoch-a', 2)
    // A replay of what was acked before the kill, then 92 %: past 90.
    await sendUsage(
      client,
      batch('epoch-a', [
        [1, 300 * MB],
        [2, 250 * MB],
        [3, 370 * MB],
      ]),
      3,
    )
    await controller.kill()
    client.close()
    await sink.start()
    controller = await start()
    call = apiClient(controller.baseUrl, TOKEN)
    client = await greet(controller, agent, 'epoch-a', 3)
    // Killed before or after a first attempt found no relay: it is sent now, or at its retry.
    await waitFor('the 90 % e-mail arrives', () => sink.received.length >= 2, { timeoutMs: 90_000 })

    // The agent lost its journal: a new epoch with more usage (95 %), under the cap.
    client.close()
    client = await greet(controller, agent, 'epoch-b', 0)
    await sendUsage(client, batch('epoch-b', [[1, 30 * MB]]), 1)
    const sub = (await call('GET', `/subscribers/${subscriberId}`)).body
    expect(sub.usage.usedBytes).toBe(950 * MB)
    // Anything still to come would be sent within a few outbox passes.
    await sleep(3000)
    client.close()

    expect(sink.received.map(summary)).toEqual([
      {
        to: ['ann@example.net'],
        subject: "You've used 50% of your data",
        used: '550 MB',
        limit: '1 GB',
        percent: '55',
        remaining: '450 MB',
      },
      {
        to: ['ann@example.net'],
        subject: "You've used 90% of your data",
        used: '920 MB',
        limit: '1 GB',
        percent: '92',
        remaining: '80 MB',
      },
    ])
    expect(await controller.stop()).toBe(0)
  }, 240_000)
})

async function seed(call: Call) {
  const plan = await call('POST', '/plans', {
    name: 'Alerts 1 GB',
    capBytes: CAP,
    onCap: 'block',
    notifyAtPercent: [50, 90],
  })
  expect(plan.status, JSON.stringify(plan.body)).toBe(201)
  const agent = await call('POST', '/agents', { name: 'alerts-tower' })
  expect(agent.status, JSON.stringify(agent.body)).toBe(201)
  const sub = await call('POST', '/subscribers', {
    name: 'Ann Example',
    login: 'ann',
    email: 'ann@example.net',
    planId: plan.body.id,
    agentId: agent.body.id,
    address: '10.0.7.1',
    billingDay: 1,
  })
  expect(sub.status, JSON.stringify(sub.body)).toBe(201)
  return {
    agent: { id: agent.body.id as string, token: agent.body.token as string },
    subscriberId: sub.body.id,
  }
}

async function greet(
  controller: ControllerProcess,
  agent: { id: string; token: string },
  epoch: string,
  lastSeq: number,
) {
  const wsUrl = `${controller.baseUrl.replace('http', 'ws')}/agent/v1/ws`
  const client = await connectAgent(wsUrl, agent.token)
  client.send(hello(agent.id, epoch, lastSeq))
  await client.next('sync')
  return client
}

/** Sends a batch and waits for the ack of `seq`. */
async function sendUsage(client: TestAgent, batch: object, seq: number) {
  client.send(batch)
  for (;;) {
    const ack = await client.next('ack')
    if (ack.seq >= seq) return
  }
}

/** The figures the e-mail's subject and text part carry. */
function summary(mail: ReceivedMail) {
  const text = part(mail.raw, 'text/plain') ?? ''
  const figures = /You have used (\S+ \S+) of your (\S+ \S+) this period \((\d+)%\)\. (\S+ \S+) is left/.exec(
    text,
  )
  return {
    to: mail.envelopeTo,
    subject: header(mail.raw, 'Subject'),
    used: figures?.[1],
    limit: figures?.[2],
    percent: figures?.[3],
    remaining: figures?.[4],
  }
}
