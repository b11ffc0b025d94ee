// The freshness assertions ("within one second") are about OrleansTok, not about a 2-core machine
// shared with a MovieLens replay and a browser: test classes run one after another.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
