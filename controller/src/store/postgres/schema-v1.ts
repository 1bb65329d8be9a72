/**
 * The first PostgreSQL schema: one table per entity (`id`, the row as `doc`, and real columns for
 * what is looked up or constrained), and the ledger's rules stated again as constraints.
 */

/** Ids compare as the embedded store compares them (code units), whatever the database's collation. */
const table = (name: string, columns = '') =>
  `CREATE TABLE ${name} (id text COLLATE "C" PRIMARY KEY, doc jsonb NOT NULL${columns ? `, ${columns}` : ''});`

export const SCHEMA_V1 = `
${table('plans')}
${table('top_up_plans')}
${table('agents', 'token_hash text NOT NULL UNIQUE')}
${table(
  'subscribers',
  // Balances only fall through a debit the domain checks first (top-ups, invoice payments from
  // the balance refuse insufficient_balance); credits are positive: a balance is never negative.
  `login_lower text NOT NULL, agent_id text NOT NULL, plan_id text NOT NULL, deleted boolean NOT NULL,
   address inet, balance bigint NOT NULL CHECK (balance >= 0),
   CONSTRAINT subscribers_login_unique UNIQUE (login_lower) DEFERRABLE INITIALLY DEFERRED`,
)}
CREATE INDEX subscribers_agent ON subscribers (agent_id, id) WHERE NOT deleted;
CREATE INDEX subscribers_plan ON subscribers (plan_id);
CREATE INDEX subscribers_address ON subscribers USING gist (address inet_ops) WHERE NOT deleted;
${table('top_ups', 'subscriber_id text NOT NULL')}
CREATE INDEX top_ups_subscriber ON top_ups (subscriber_id, id);
${table(
  'invoices',
  `subscriber_id text NOT NULL, series text NOT NULL, num integer NOT NULL CHECK (num >= 1),
   CONSTRAINT invoices_number_unique UNIQUE (series, num) DEFERRABLE INITIALLY DEFERRED`,
)}
CREATE INDEX invoices_subscriber ON invoices (subscriber_id, id);
${table('payments', 'subscriber_id text NOT NULL')}
CREATE INDEX payments_subscriber ON payments (subscriber_id, id);
${table('orders', 'subscriber_id text NOT NULL, provider_ref text')}
CREATE INDEX orders_subscriber ON orders (subscriber_id, id);
CREATE INDEX orders_provider_ref ON orders (provider_ref, id) WHERE provider_ref IS NOT NULL;
${table('payment_events')}
${table('notifications', 'subscriber_id text')}
CREATE INDEX notifications_subscriber ON notifications (subscriber_id, id);
${table(
  'deliveries',
  `status text NOT NULL, channel text NOT NULL, event text NOT NULL, subscriber_id text,
   notification_id text NOT NULL, next_attempt_at_ms bigint NOT NULL`,
)}
CREATE INDEX deliveries_open ON deliveries (id) WHERE status IN ('queued', 'sending');
CREATE INDEX deliveries_notification ON deliveries (notification_id, id);
${table('webhook_endpoints')}
${table('usage_marks', 'agent_id text NOT NULL, epoch text NOT NULL, UNIQUE (agent_id, epoch)')}
${table('usage_periods', 'subscriber_id text NOT NULL')}
CREATE INDEX usage_periods_subscriber ON usage_periods (subscriber_id, id);
${table('usage_anomalies', 'agent_id text NOT NULL')}
CREATE INDEX usage_anomalies_agent ON usage_anomalies (agent_id, id);
${table('usage_days', 'subscriber_id text NOT NULL, day text COLLATE "C" NOT NULL')}
CREATE INDEX usage_days_subscriber ON usage_days (subscriber_id, day);
CREATE INDEX usage_days_day ON usage_days (day);
${table('usage_months', 'subscriber_id text NOT NULL, month text COLLATE "C" NOT NULL')}
CREATE INDEX usage_months_subscriber ON usage_months (subscriber_id, month);
CREATE INDEX usage_months_month ON usage_months (month);
${table('ledger', 'subscriber_id text NOT NULL')}
CREATE INDEX ledger_subscriber ON ledger (subscriber_id, id);
${table('api_tokens', 'hash text NOT NULL UNIQUE')}
${table('users', 'username text NOT NULL UNIQUE')}
${table('portal_sessions')}
${table('operator_sessions')}
${table('settings')}

CREATE TABLE audit (
  ord bigserial PRIMARY KEY, id text NOT NULL, at_ms bigint NOT NULL, actor text NOT NULL,
  action text NOT NULL, entity_id text NOT NULL, doc jsonb NOT NULL
);
CREATE INDEX audit_id ON audit (id);
CREATE INDEX audit_at ON audit (at_ms);
CREATE INDEX audit_entity ON audit (entity_id, ord);

-- The scope is the idempotency key: one record per key, whichever controller took it.
CREATE TABLE idempotency (
  scope text PRIMARY KEY, ord bigserial NOT NULL, created_at_ms bigint NOT NULL, doc jsonb NOT NULL
);
CREATE INDEX idempotency_ord ON idempotency (ord);

-- A row per series, locked by the transaction that takes a number: one that rolls back gives it back.
CREATE TABLE capd_sequences (name text PRIMARY KEY, value bigint NOT NULL CHECK (value >= 1));

-- What the embedded document says of itself (the format upgrades it went through) for dump and load.
CREATE TABLE capd_meta (key text PRIMARY KEY, value jsonb NOT NULL);

-- Invoice numbers are gapless per series: number n is refused unless n - 1 of its series exists
-- (checked at commit, so one transaction may write a run in any order); numbers never change.
CREATE FUNCTION capd_invoice_gapless() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND (NEW.series, NEW.num) IS DISTINCT FROM (OLD.series, OLD.num) THEN
    RAISE EXCEPTION 'invoice % changes its number', NEW.id USING ERRCODE = 'check_violation';
  END IF;
  IF NEW.num > 1 AND NOT EXISTS (SELECT 1 FROM invoices WHERE series = NEW.series AND num = NEW.num - 1) THEN
    RAISE EXCEPTION 'invoice number % of series % leaves a gap', NEW.num, NEW.series
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER invoices_gapless AFTER INSERT OR UPDATE ON invoices
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION capd_invoice_gapless();
CREATE FUNCTION capd_invoice_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'invoices are never deleted (%)', OLD.id USING ERRCODE = 'check_violation';
END $$;
CREATE TRIGGER invoices_kept BEFORE DELETE ON invoices FOR EACH ROW EXECUTE FUNCTION capd_invoice_kept();
`
