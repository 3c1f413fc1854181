/** Stops what the global setup started (nothing it merely found running). */
export default async function globalTeardown(): Promise<void> {
  for (const stop of globalThis.__rapportServiceStops ?? []) await stop();
}
