/** The page skeletons plans and top-up plans share: the list with its "New …" form, one item with its forms. */
import type { Child } from 'hono/jsx'
import { type Column, DataTable } from '../ui/data-table.js'
import { date } from '../ui/format.js'
import { NamedForm } from '../ui/named-form.js'
import { OperatorPage, type Section } from './layout.js'
import { can, type Frame } from './operator-kit.js'

export interface CatalogKind {
  /** The list's path; an item's is `<path>/<id>`. */
  path: string
  section: Section
  /** In headings and buttons: "New plan", "Save top-up plan". */
  noun: 'plan' | 'top-up plan'
  /** Form ids: `new-<stem>`, `edit-<stem>`, `retire-<stem>`. */
  stem: string
}

interface CatalogItem {
  id: string
  name: string
  createdAtMs: number
  retiredAtMs?: number | undefined
}

const capitalised = (s: string) => s[0]!.toUpperCase() + s.slice(1)

/** Whether a plan or top-up plan is on offer, as a word in a badge (never colour alone). */
const CatalogState = ({ item }: { item: CatalogItem }) =>
  item.retiredAtMs === undefined ? (
    <span class="badge active">active</span>
  ) : (
    <span class="badge retired">retired</span>
  )

export function CatalogListPage<T extends CatalogItem>(p: {
  kind: CatalogKind
  frame: Frame
  items: readonly T[]
  /** The kind's own columns, between the name and the status. */
  columns: readonly Column<T>[]
  /** The "New …" form's fields. */
  fields: Child
}) {
  const { path, section, noun, stem } = p.kind
  const title = `${capitalised(noun)}s`
  const mayChange = can(p.frame, 'catalog')
  return (
    <OperatorPage {...p.frame} title={title} section={section}>
      <h1>{title}</h1>
      <div class="table-wrap catalog">
        <DataTable
          rows={p.items}
          empty={`No ${noun}s yet. Create the first one below.`}
          wrap={false}
          columns={[
            { header: 'Name', cell: (item) => item.name },
            ...p.columns,
            { header: 'Status', cell: (item) => <CatalogState item={item} /> },
            {
              header: 'Actions',
              cell: (item) => <a href={`${path}/${item.id}`}>{mayChange ? 'Edit' : 'View'}</a>,
            },
          ]}
        />
      </div>
      {mayChange ? (
        <NamedForm
          id={`new-${stem}`}
          title={`New ${noun}`}
          action={path}
          csrf={p.frame.csrf}
          submit={`Create ${noun}`}
        >
          {p.fields}
        </NamedForm>
      ) : null}
    </OperatorPage>
  )
}

export function CatalogItemPage(p: {
  kind: CatalogKind
  frame: Frame
  item: CatalogItem
  timeZone: string
  /** The kind's own facts, between the status and the creation date. */
  facts: readonly (readonly [term: string, value: Child])[]
  /** Said instead of the forms once the item is retired. */
  retiredNotice: string
  editIntro: string
  retireIntro: string
  /** The edit form's fields, pre-filled. */
  fields: Child
}) {
  const { kind, item, frame } = p
  const { path, section, noun, stem } = kind
  const itemPath = `${path}/${item.id}`
  return (
    <OperatorPage {...frame} title={item.name} section={section}>
      <p>
        <a href={path}>{`All ${noun}s`}</a>
      </p>
      <h1>{item.name}</h1>
      <dl class="facts catalog-facts">
        <dt>Status</dt>
        <dd>
          <CatalogState item={item} />
        </dd>
        {p.facts.map(([term, value]) => (
          <>
            <dt>{term}</dt>
            <dd>{value}</dd>
          </>
        ))}
        <dt>Created</dt>
        <dd>{date(item.createdAtMs, p.timeZone)}</dd>
        {item.retiredAtMs === undefined ? null : (
          <>
            <dt>Retired</dt>
            <dd>{date(item.retiredAtMs, p.timeZone)}</dd>
          </>
        )}
      </dl>
      {item.retiredAtMs !== undefined ? (
        <p class="notice pending">{p.retiredNotice}</p>
      ) : !can(frame, 'catalog') ? null : (
        <div class="columns">
          <NamedForm
            id={`edit-${stem}`}
            title={`Edit ${noun}`}
            action={itemPath}
            csrf={frame.csrf}
            submit={`Save ${noun}`}
            intro={<p class="hint">{p.editIntro}</p>}
          >
            {p.fields}
          </NamedForm>
          <NamedForm
            id={`retire-${stem}`}
            title={`Retire ${noun}`}
            action={`${itemPath}/retire`}
            csrf={frame.csrf}
            submit={`Retire ${noun}`}
            kind="danger"
            intro={<p>{p.retireIntro}</p>}
          />
        </div>
      )}
    </OperatorPage>
  )
}
