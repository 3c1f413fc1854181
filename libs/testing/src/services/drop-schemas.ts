import { Client } from 'pg';

/** Drops the PostgreSQL schemas a suite made for itself (and all they hold). */
export async function dropSchemas(postgresUrl: string, schemas: readonly string[]): Promise<void> {
  const client = new Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
