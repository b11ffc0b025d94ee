using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using OrleansTok.Hosting;

// A standalone OrleansTok silo for cluster mode. Configuration (appsettings.json, environment, arguments):
//   ConnectionStrings:Postgres   cluster membership and grain state in PostgreSQL (required for more than one silo)
//   Orleans:SiloPort, Orleans:GatewayPort, Orleans:AdvertisedIP, Orleans:ClusterId, Orleans:ServiceId
// `migrate` applies the PostgreSQL schema and exits.
var builder = Host.CreateApplicationBuilder(args.Where(a => a != "migrate").ToArray());
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
if (builder.Environment.IsDevelopment() && postgres is null)
{
    Console.WriteLine("No ConnectionStrings:Postgres: running a single in-memory silo on localhost.");
}
await builder.Build().RunAsync();
return 0;
