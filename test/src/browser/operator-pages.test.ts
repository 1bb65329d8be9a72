/**
 * The operator's overview pages in a real browser against the real controller and a real agent on a
 * simulated router: the dashboard follows a subscriber into the blocked state live, the subscriber
 * list filters, plans are created from the form, and an agent's token is shown once. Each page also
 * passes axe, and is photographed where the test has it in a telling state.
 */
import { describe, expect, it } from 'vitest'
import { expectAccessible } from '../support/a11y.js'
import { browserTitle, skipBrowser, waitForText } from '../support/browser.js'
import { markDocument, sameDocument } from '../support/in-page.js'
import { saveScreenshot } from '../support/screenshots.js'
import { operatorLogin } from '../support/ui-login.js'
import { uiSuite } from '../support/ui-suite.js'

describe.skipIf(skipBrowser)(browserTitle('operator pages in a browser'), () => {
  const ui = uiSuite()

  it('dashboard: agents online, and a subscriber who runs out appears as blocked without a reload', async () => {
    const { smallPlanId, simulatedAgentId } = ui.stack.seed
    const page = await ui.page({ bypassCSP: true })
    await operatorLogin(page)
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor()
    const figures = page.locator('#dashboard')
    const card = (caption: string) => figures.locator('.card').filter({ hasText: caption })
    await waitForText(card('Agents online'), '1 of 2')
    await page.waitForSelector('body[data-live="connected"]')
    await markDocument(page)

    // A new customer on the 20 MB plan, after the page loaded: the simulated traffic uses it up
    // within seconds, the agent blocks it and reports, and the open page has to follow.
    const emeka = await ui.stack.addCustomer({
      name: 'Emeka Obi',
      login: 'emeka',
      planId: smallPlanId,
      agentId: simulatedAgentId,
      address: '10.20.0.14',
    })
    const blocked = page.getByRole('region', { name: 'Blocked subscribers' })
    expect(await blocked.getByRole('link', { name: emeka.name }).count()).toBe(0)
    await ui.stack.waitForState(emeka.id, 'blocked')
    await blocked.getByRole('link', { name: emeka.name }).waitFor({ timeout: 20_000 })
    expect(await sameDocument(page)).toBe(true)
    // Alice (20 MB too, from the start) is blocked as well; after that the count stands still.
    await ui.stack.waitForState(ui.stack.seed.alice.id, 'blocked')
    const blockedNow = (await ui.stack.call('GET', '/subscribers?state=blocked')).body.items.length
    await waitForText(card('Blocked now'), new RegExp(`^\\s*${blockedNow}\\s*Blocked now`))
    await expectAccessible(page, 'the dashboard')
    await saveScreenshot(page, 'operator-dashboard')

    await blocked.getByRole('link', { name: emeka.name }).click()
    await page.getByRole('heading', { level: 1, name: emeka.name }).waitFor()
    await waitForText(page.locator('#usage'), 'Limit reached')
  })

  it('subscribers: search and the state filter narrow the list, names lead to their pages', async () => {
    const { alice, bongani, chen, dara } = ui.stack.seed
    const page = await ui.page({ bypassCSP: true })
    await operatorLogin(page, '/subscribers')
    const table = page.locator('#subscribers')
    const names = async () => (await table.getByRole('row').getByRole('link').allInnerTexts()).sort()
    await table.getByRole('link', { name: dara.name }).waitFor()
    const everyone = (await ui.stack.call('GET', '/subscribers')).body.items as Array<{ name: string }>
    expect(await names()).toEqual(everyone.map((s) => s.name).sort())
    await expectAccessible(page, 'the subscriber list')
    await saveScreenshot(page, 'operator-subscribers')

    await page.getByLabel('Search').fill('chen')
    await page.getByRole('button', { name: 'Filter' }).click()
    await page.waitForURL((url) => url.searchParams.get('q') === 'chen')
    expect(await names()).toEqual([chen.name])

    await ui.stack.waitForState(alice.id, 'blocked')
    await page.getByLabel('Search').fill('')
    await page.getByLabel('State').selectOption({ label: 'Blocked' })
    await page.getByRole('button', { name: 'Filter' }).click()
    await page.waitForURL((url) => url.searchParams.get('state') === 'blocked')
    const shown = await names()
    expect(shown).toContain(alice.name)
    for (const open of [bongani, chen, dara]) expect(shown).not.toContain(open.name)
    for (const state of await table.locator('tbody tr .badge').allInnerTexts()) expect(state).toBe('blocked')

    await table.getByRole('link', { name: alice.name }).click()
    await page.waitForURL((url) => url.pathname === `/subscribers/${alice.id}`)
    await page.getByRole('heading', { level: 1, name: alice.name }).waitFor()
  })

  it('plans: a plan made with the form is listed; a bad cap is refused and creates nothing', async () => {
    const page = await ui.page({ bypassCSP: true })
    await operatorLogin(page, '/plans')
    await page.getByRole('heading', { level: 1, name: 'Plans' }).waitFor()
    const plans = async () => (await ui.stack.call('GET', '/plans')).body.items as Array<{ name: string }>
    const count = (await plans()).length
    const form = page.getByRole('form', { name: 'New plan' })

    await form.getByLabel('Name').fill('Broken plan')
    await form.getByLabel('Data cap', { exact: true }).fill('a lot')
    await form.getByLabel('Data cap (unit)').selectOption('GB')
    await form.getByRole('button', { name: 'Create plan' }).click()
    await waitForText(page.getByRole('alert'), 'Check the field marked below.')
    await waitForText(form.locator('.field-error'), 'Enter the data amount as a number')
    await expectAccessible(page, 'a refused plan form')
    expect((await plans()).length).toBe(count)

    await form.getByLabel('Name').fill('Rural 50 GB, then 512 kbit/s')
    await form.getByLabel('Data cap', { exact: true }).fill('50')
    await form.getByLabel('Data cap (unit)').selectOption('GB')
    await form.getByLabel('At the cap').selectOption({ label: 'Slow to a fixed speed' })
    await form.getByLabel('Slow to (kbit/s)').fill('512')
    await form.getByRole('button', { name: 'Create plan' }).click()
    await page.getByRole('status').waitFor()
    const row = page.getByRole('row').filter({ hasText: 'Rural 50 GB, then 512 kbit/s' })
    await waitForText(row, '50 GB')
    await waitForText(row, 'Slow to 512 kbit/s')
    expect((await plans()).length).toBe(count + 1)
    expect(await page.getByRole('link', { name: 'Edit' }).count()).toBe(count + 1)

    await page.goto('/plans')
    await expectAccessible(page, 'the plans page')
    await saveScreenshot(page, 'operator-plans')
  })

  it('agents: the token is shown once at enrolment and never again', async () => {
    const page = await ui.page({ bypassCSP: true })
    await operatorLogin(page, '/agents')
    const table = page.locator('#agents')
    await waitForText(table.getByRole('row').filter({ hasText: 'tower-north (simulated)' }), 'online')
    await waitForText(table.getByRole('row').filter({ hasText: 'tower-south' }), 'offline')

    const form = page.getByRole('form', { name: 'Enrol an agent' })
    await form.getByLabel('Agent name').fill('tower-east')
    await form.getByRole('button', { name: 'Enrol agent' }).click()
    const shown = page.locator('#agent-token')
    await shown.waitFor()
    const token = ((await shown.textContent()) ?? '').trim()
    expect(token).toMatch(/^capda_\S+$/)
    expect(await shown.getAttribute('class')).toContain('secret')
    await waitForText(page.getByRole('status'), /shown only once/)
    await waitForText(table.getByRole('row').filter({ hasText: 'tower-east' }), 'offline')
    const enrolled = (await ui.stack.call('GET', '/agents')).body.items as Array<{ name: string }>
    expect(enrolled.map((a) => a.name)).toContain('tower-east')

    await page.goto('/agents')
    await table.getByRole('row').filter({ hasText: 'tower-east' }).waitFor()
    expect(await page.locator('#agent-token').count()).toBe(0)
    expect(await page.content()).not.toContain(token)
    await expectAccessible(page, 'the agents page')
    await saveScreenshot(page, 'operator-agents')

    await page.getByRole('link', { name: 'Revoke tower-east' }).click()
    await page.getByRole('button', { name: 'Revoke agent' }).click()
    await waitForText(page.getByRole('status'), /revoked/)
    await waitForText(table.getByRole('row').filter({ hasText: 'tower-east' }), 'revoked')
    expect(await page.getByRole('link', { name: 'Revoke tower-east' }).count()).toBe(0)
  })
})
