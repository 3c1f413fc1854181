// Preloaded into the service under measurement (NODE_OPTIONS="--expose-gc --require …"):
// on SIGWINCH (a signal Nest's shutdown hooks leave alone) it collects garbage fully and prints the process's memory as one line the
// benchmark reads from the service's output.
process.on('SIGWINCH', () => {
  global.gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  console.log(`bench-memory ${JSON.stringify({ rss, heapUsed })}`);
});
