/** The sections of the ISP's settings, as the settings index lists them (one line each: merges stay easy). */
export interface SettingsSection {
  readonly href: string
  readonly label: string
  readonly about: string
}

export const SETTINGS_SECTIONS: readonly SettingsSection[] = [
  {
    href: '/settings/branding',
    label: 'Branding',
    about: 'Your name, logo, support contact, postal address and tax id, as customers see them.',
  },
  {
    href: '/settings/billing',
    label: 'Billing',
    about: 'Whether a top-up paid first gets an invoice or a pro-forma, and what Charge to defaults to.',
  },
  {
    href: '/settings/allowance',
    label: 'Data allowances',
    about: 'Whether usage is taken from plan data or from top-ups first, for plans without their own choice.',
  },
  {
    href: '/settings/notifications',
    label: 'Notifications',
    about: 'Where staff alerts are e-mailed, and which message channels are configured.',
  },
  {
    href: '/settings/webhooks',
    label: 'Webhooks',
    about: 'URLs your own systems receive capd’s events at, signed, with a test button.',
  },
  {
    href: '/settings/templates',
    label: 'Notification templates',
    about:
      'The words of each e-mail and SMS customers and staff receive, with a preview on a real subscriber.',
  },
]
