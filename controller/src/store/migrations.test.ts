import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { checkData, DATA_VERSION, emptyData } from './data.js'
import { MIGRATIONS, migrateDocument } from './migrations.js'

const v1 = () => JSON.parse(readFileSync(new URL('./testdata/store-v1.json', import.meta.url), 'utf8'))
const STAMP = { atMs: 5, capdVersion: '1.2.3' }

describe('store migrations', () => {
  it('form one chain of single steps from version 1 to DATA_VERSION', () => {
    expect(MIGRATIONS.map((m) => [m.from, m.to])).toEqual(
      Array.from({ length: DATA_VERSION - 1 }, (_, i) => [i + 1, i + 2]),
    )
  })

  it('take a version-1 document to one the controller opens, leaving the input as it was', () => {
    const old = v1()
    const text = JSON.stringify(old)
    const { doc, applied } = migrateDocument(old, 'v1.json', STAMP)
    expect(JSON.stringify(old)).toBe(text)
    expect(applied.map((m) => m.to)).toEqual([2])
    expect(checkData(doc, 'migrated').migrations).toEqual([{ from: 1, to: 2, atMs: 5, capdVersion: '1.2.3' }])
    expect(doc.plans).toEqual(old.plans)
    expect(doc.committedVersion).toBe(3)
  })

  it('leave a current document alone, and refuse a newer one', () => {
    const current = emptyData()
    expect(migrateDocument(current, 'now.json', STAMP)).toEqual({ doc: current, applied: [] })
    expect(() => migrateDocument({ ...current, version: DATA_VERSION + 1 }, 'next.json', STAMP)).toThrow(
      `next.json has store version ${DATA_VERSION + 1}, newer than this capd's ${DATA_VERSION}`,
    )
    expect(() => migrateDocument({ format: 'other' }, 'x.json', STAMP)).toThrow(/not a capd store/)
  })
})
