import pg from 'pg';

/**
 * Test-only: a trigger that sleeps inside an append's transaction when the
 * stream is named `sleep<ms>-...`. It widens the window between a writer
 * taking its positions and committing them, where an ordering bug would show.
 */
export async function installDelayTrigger(client: pg.Client, schema: string): Promise<void> {
  const s = pg.escapeIdentifier(schema);
  await client.query(`
    CREATE FUNCTION ${s}.test_delay() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE ms integer;
    BEGIN
      SELECT max((substring(stream from '^sleep([0-9]+)-'))::integer) INTO ms FROM inserted;
      IF ms IS NOT NULL AND ms > 0 THEN PERFORM pg_sleep(ms / 1000.0); END IF;
      RETURN NULL;
    END $$;
    CREATE TRIGGER test_delay AFTER INSERT ON ${s}.events
      REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION ${s}.test_delay();
  `);
}
