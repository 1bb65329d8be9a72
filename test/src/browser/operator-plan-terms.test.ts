/**
 * A plan with every allowance term, made through the operator's form in a real browser: download
 * only, slowed to a % of the normal speed at the cap, plan data rolled over, and free night hours.
 * The plan page then shows each term in words, and the API holds exactly what was chosen.
 */
import { describe, expect, it } from 'vitest'
import { browserTitle, skipBrowser, waitForText } from '../support/browser.js'
import { operatorLogin } from '../support/ui-login.js'
import { uiSuite } from '../support/ui-suite.js'

describe.skipIf(skipBrowser)(browserTitle('plan terms in a browser'), () => {
  const ui = uiSuite()

  it('creates a download-only plan slowed to 10 % with rollover and free hours, and shows it', async () => {
    const page = await ui.page()
    await operatorLogin(page, '/plans')
    const form = page.getByRole('form', { name: 'New plan' })
    await form.getByLabel('Name').fill('Night owl 40 GB')
    await form.getByLabel('Data cap', { exact: true }).fill('40')
    await form.getByLabel('Data cap (unit)').selectOption('GB')
    await form.getByLabel('Counts').selectOption({ label: 'Download only' })
    await form.getByLabel('At the cap').selectOption({ label: 'Slow to a % of the normal speed' })
    await form.getByLabel('Slow to (% of the normal speed)').fill('10')
    await form.getByLabel('Normal speed, download (kbit/s)').fill('20000')
    await form.getByLabel('Normal speed, upload (kbit/s)').fill('5000')
    await form.getByLabel('Use first').selectOption({ label: 'Top-ups' })
    await form.getByLabel('Roll over unused plan data').check()
    await form.getByLabel('Roll over at most', { exact: true }).fill('20')
    await form.getByLabel('Roll over at most (unit)').selectOption('GB')
    await form.getByLabel('Rolled-over data lasts (periods)').fill('2')
    await form.getByLabel('Free hours 1: from').fill('23:00')
    await form.getByLabel('Free hours 1: to').fill('06:00')
    await form.getByLabel('Free hours 2: from').fill('12:00')
    await form.getByLabel('Free hours 2: to').fill('13:30')
    await form.getByRole('button', { name: 'Create plan' }).click()
    await waitForText(page.getByRole('status'), 'Plan "Night owl 40 GB" created.')

    const row = page.getByRole('row').filter({ hasText: 'Night owl 40 GB' })
    await waitForText(row, 'Download only')
    await waitForText(row, 'Slow to 10 % of the normal speed (2000 kbit/s down, 500 up)')
    await waitForText(row, '23:00–06:00, 12:00–13:30')

    await row.getByRole('link', { name: 'Edit' }).click()
    await page.getByRole('heading', { level: 1, name: 'Night owl 40 GB' }).waitFor()
    const facts = page.locator('main')
    for (const text of [
      'Download only',
      'Slow to 10 % of the normal speed (2000 kbit/s down, 500 up)',
      '20000 kbit/s down, 5000 kbit/s up',
      'Top-ups',
      'Plan data, at most 20 GB, for 2 periods',
      '23:00–06:00, 12:00–13:30',
    ]) {
      await waitForText(facts, text)
    }
    // The edit form comes back with every choice made.
    const edit = page.getByRole('form', { name: 'Edit plan' })
    expect(await edit.getByLabel('Counts').inputValue()).toBe('down')
    expect(await edit.getByLabel('At the cap').inputValue()).toBe('throttle_percent')
    expect(await edit.getByLabel('Slow to (% of the normal speed)').inputValue()).toBe('10')
    expect(await edit.getByLabel('Roll over unused plan data').isChecked()).toBe(true)
    expect(await edit.getByLabel('Roll over unused top-up data').isChecked()).toBe(false)
    expect(await edit.getByLabel('Free hours 2: to').inputValue()).toBe('13:30')

    const plans = (await ui.stack.call('GET', '/plans')).body.items as { name: string }[]
    expect(plans.find((p) => p.name === 'Night owl 40 GB')).toMatchObject({
      capBytes: 40e9,
      count: 'down',
      capAction: { kind: 'throttle_percent', percent: 10 },
      rateDownKbps: 20_000,
      rateUpKbps: 5_000,
      onCap: 'throttle',
      throttleKbps: 2_000,
      drawOrder: 'topups_first',
      rollover: { plan: true, topUps: false, maxBytes: 20e9, periods: 2 },
      freeHours: [
        { from: '23:00', to: '06:00' },
        { from: '12:00', to: '13:30' },
      ],
    })
  })
})
