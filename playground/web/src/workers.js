// Monaco's language workers, bundled beside this script by build.mjs, which
// defines WORKERS as {label: file name}.
globalThis.MonacoEnvironment = {
  getWorker(_id, label) {
    const file = WORKERS[label] ?? WORKERS.editor;
    return new Worker(new URL(file, import.meta.url), { name: label });
  },
};
