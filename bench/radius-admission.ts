/**
 * What a login admission costs the controller: `POST /radius/v1/authorize` (rlm_rest's request)
 * against `GET /api/v1/subscribers/:id` (the operator API reading the same subscriber's usage),
 * both in-process on one in-memory store of 1,000 subscribers. Ratio against the GET, measured
 * in the same run. Standalone: `pnpm tsx bench/radius-admission.ts`.
 */
import { radiusAdmission } from '../controller/src/radius/admission-config.js'
import { TEST_TOKEN, testApp } from '../controller/src/testing/test-app.js'

const TOKEN = 'bench-radius-admission-token-0123'
const SUBSCRIBERS = 1000
const RUN_MS = 2000

const t = await testApp({ app: { radius: { settings: radiusAdmission({ token: TOKEN }) } } })
const plan = (
  await t.call('POST', '/plans', { name: 'p', capBytes: 1e11, onCap: 'block', rateDownKbps: 10000 })
).body
const agent = (await t.call('POST', '/agents', { name: 'a' })).body
const ids: string[] = []
for (let i = 0; i < SUBSCRIBERS; i++) {
  const address = `10.${(i >> 8) & 255}.${i & 255}.1`
  const sub = await t.call('POST', '/subscribers', {
    name: `s${i}`,
    login: `s${i}`,
    planId: plan.id,
    agentId: agent.id,
    address,
  })
  ids.push(sub.body.id)
}

async function perSecond(request: (i: number) => Request): Promise<number> {
  const end = performance.now() + RUN_MS
  let n = 0
  while (performance.now() < end) {
    const res = await t.app.request(request(n % SUBSCRIBERS))
    if (res.status >= 300) throw new Error(`HTTP ${res.status}: ${await res.text()}`)
    await res.arrayBuffer()
    n++
  }
  return (n * 1000) / RUN_MS
}

const read = (i: number) =>
  new Request(`http://localhost/api/v1/subscribers/${ids[i]}`, {
    headers: { authorization: `Bearer ${TEST_TOKEN}` },
  })
const admit = (i: number) =>
  new Request('http://localhost/radius/v1/authorize', {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ 'User-Name': { type: 'string', value: [`s${i}`] } }),
  })

await perSecond(read) // warm-up
const baseline = await perSecond(read)
const admission = await perSecond(admit)
console.log(`GET subscriber (baseline)  ${baseline.toFixed(0)}/s  1.00`)
console.log(`POST radius authorize      ${admission.toFixed(0)}/s  ${(admission / baseline).toFixed(2)}`)
