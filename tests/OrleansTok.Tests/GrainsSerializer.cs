using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using OrleansTok.State;

namespace OrleansTok.Tests;

/// <summary>Orleans' serializer with OrleansTok's grain types: what grain storage and the journal write and read.</summary>
internal static class GrainsSerializer
{
    public static readonly Serializer Instance = new ServiceCollection().AddSerializer(s => s.AddAssembly(typeof(UserState).Assembly))
        .BuildServiceProvider().GetRequiredService<Serializer>();
}
