import { describe, expect, it } from 'vitest'
import { readCsvTable } from './csv-table.js'

describe('readCsvTable', () => {
  it('reads a BOM, CRLF, quoted commas, quotes and line ends, and skips blank and comment lines', () => {
    const text =
      '\uFEFFlogin,name,notes\r\n# a comment\r\nalice,"Smith, Alice","said ""hi""\r\nthen left"\r\n\r\n,,\r\nbob , Bob ,a#b\r\n'
    const table = readCsvTable(text)
    expect(table.header).toEqual(['login', 'name', 'notes'])
    expect(table.records).toEqual([
      { line: 3, cells: ['alice', 'Smith, Alice', 'said "hi"\nthen left'] },
      { line: 7, cells: ['bob', 'Bob', 'a#b'] },
    ])
  })

  it('refuses an empty file and an unclosed quote, saying which', () => {
    expect(() => readCsvTable('')).toThrow(/empty/)
    expect(() => readCsvTable('\uFEFF\r\n')).toThrow(/empty/)
    expect(() => readCsvTable('a,b\n1,"open\n2,3\n')).toThrow(/quote/i)
  })

  it('gives back random cells and the line each record starts on, whatever the line ends', () => {
    const alphabet = ['a', 'Z', '9', ' x', ',', '"', '\n', 'é', '#', '=', '\u00a0b']
    const randomCell = () =>
      Array.from(
        { length: Math.floor(Math.random() * 6) },
        () => alphabet[Math.floor(Math.random() * alphabet.length)],
      )
        .join('')
        .trim()
    for (let round = 0; round < 50; round++) {
      const eol = ['\n', '\r\n', '\r'][round % 3]!
      const quote = (cell: string) =>
        /[",\n]/.test(cell) ? `"${cell.replaceAll('"', '""').replaceAll('\n', eol)}"` : cell
      const records: { line: number; cells: string[] }[] = []
      let text = round % 2 ? '\uFEFF' : ''
      text += `h1,h2,h3${eol}`
      let line = 2
      for (let r = 0; r < 20; r++) {
        // The first cell never starts with `#`: such a line would be a comment.
        const cells = [`k${r}${randomCell()}`, randomCell(), randomCell()]
        records.push({ line, cells: cells.map((c) => c.trim()) })
        text += cells.map(quote).join(',') + eol
        line += 1 + cells.reduce((n, c) => n + (c.match(/\n/g)?.length ?? 0), 0)
      }
      expect(readCsvTable(text).records).toEqual(records)
    }
  })
})
