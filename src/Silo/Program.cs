using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrleansTok.Hosting;

// A standalone OrleansTok silo for cluster mode. Configuration (appsettings.json, environment, arguments):
//   ConnectionStrings:Postgres   membership, grain state, reminders and the journal in PostgreSQL (required for more than one silo)
//   Orleans:SiloPort, Orleans:GatewayPort, Orleans:AdvertisedIP, Orleans:ClusterId, Orleans:ServiceId
//   Management:Port, Management:Address   health, /metrics and /dashboard (loopback unless set)
// `migrate` applies the PostgreSQL schema and exits. SIGTERM stops gracefully: the silo leaves the
// cluster and every grain deactivates with its state written.
var builder = WebApplication.CreateBuilder(args.Where(a => a != "migrate").ToArray());
var postgres = builder.Configuration.PostgresConnectionString();

if (args.Contains("migrate"))
{
    if (postgres is null)
    {
        Console.Error.WriteLine("migrate needs ConnectionStrings:Postgres (environment ConnectionStrings__Postgres).");
        return 2;
    }
    await PostgresSchema.ApplyAsync(postgres);
    Console.WriteLine("PostgreSQL schema is up to date.");
    return 0;
}

if (postgres is not null)
{
    await PostgresSchema.ApplyAsync(postgres);
}
builder.UseOrleans(silo => silo.UseOrleansTok(builder.Configuration));
builder.AddOrleansTokManagement(publicUrls: false);
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
if (builder.Environment.IsDevelopment() && postgres is null)
{
    Console.WriteLine("No ConnectionStrings:Postgres: running a single in-memory silo on localhost.");
}

var app = builder.Build();
app.UseRouting();
app.MapOrleansTokManagement();
await app.RunAsync();
return 0;
