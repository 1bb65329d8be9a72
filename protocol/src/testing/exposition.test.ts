import { describe, expect, it } from 'vitest'
import { parseExposition, sampleValue } from './exposition.js'

const GOOD = `# HELP capd_x_total Things.
# TYPE capd_x_total counter
capd_x_total{source="operator"} 3
capd_x_total{source="a \\"quoted\\" \\\\ one\\nline"} 1.5e3
# TYPE capd_h histogram
capd_h_bucket{le="0.1"} 1
capd_h_bucket{le="+Inf"} 2
capd_h_sum 0.25
capd_h_count 2
# TYPE capd_g gauge
capd_g -Inf
`

describe('the exposition reader', () => {
  it('reads names, labels (with escapes) and values', () => {
    const e = parseExposition(GOOD)
    expect(sampleValue(e, 'capd_x_total', { source: 'operator' })).toBe(3)
    expect(sampleValue(e, 'capd_x_total', { source: 'a "quoted" \\ one\nline' })).toBe(1500)
    expect(sampleValue(e, 'capd_h_bucket', { le: '+Inf' })).toBe(2)
    expect(sampleValue(e, 'capd_g')).toBe(-Infinity)
    expect(e.types.get('capd_h')).toBe('histogram')
  })

  it.each([
    ['a repeated series', `${GOOD}capd_x_total{source="operator"} 4\n`],
    ['a sample of no declared family', `${GOOD}capd_y 1\n`],
    ['a bad metric name', `${GOOD}# TYPE 1capd gauge\n`],
    ['an unquoted label value', GOOD.replace('source="operator"', 'source=operator')],
    ['a bad value', GOOD.replace('capd_h_sum 0.25', 'capd_h_sum 0,25')],
    ['a missing final newline', GOOD.slice(0, -1)],
    ['an unknown type', GOOD.replace('gauge', 'meter')],
    ['a family declared twice', `${GOOD}# TYPE capd_g gauge\n`],
    ['a repeated label', GOOD.replace('{le="0.1"}', '{le="0.1",le="0.2"}')],
  ])('refuses %s', (_, text) => {
    expect(() => parseExposition(text)).toThrow(/line \d+|newline/)
  })
})
