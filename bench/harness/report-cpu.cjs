// Preloaded (`--require`) into the cold-start servers of bench/cold-start.ts: on SIGUSR2 the
// process prints the CPU time it has used so far (every thread, user + system), in ms. CommonJS,
// so that loading it starts neither the ES module loader's extras nor type stripping.
process.on('SIGUSR2', () => {
  const used = process.cpuUsage();
  process.stdout.write(`cpu-ms ${(used.user + used.system) / 1000}\n`);
});
