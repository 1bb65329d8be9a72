/** A field's problem shown beside it: an element with its own id, which the field names in aria-describedby. */

/** The id of the problem shown beside the control `id`. */
export const errorId = (id: string) => `${id}-error`

/** The ids a control's aria-describedby lists: its problem first, then its hint; none when neither. */
export const describedBy = (...ids: (string | false | undefined)[]) =>
  ids.filter((id): id is string => typeof id === 'string').join(' ') || undefined

/** The message for the control `id`, if it has one; "Error:" is said, not shown (the colour shows it). A span: it may sit inside a label. */
export function FieldErrorText({ id, message }: { id: string; message: string | undefined }) {
  return message ? (
    <span class="field-error" id={errorId(id)}>
      <span class="visually-hidden">Error: </span>
      {message}
    </span>
  ) : null
}
