using OrleansTok.Api;

var app = await ApiHost.BuildAsync(args);
await app.RunAsync();

/// <summary>Entry point; exposed for tests that start the real server.</summary>
public partial class Program;
