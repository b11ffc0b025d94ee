using Orleans.Streams;
using OrleansTok.Streams;

namespace OrleansTok.Grains;

internal static class StreamExtensions
{
    public static IAsyncStream<T> Stream<T>(this IGrainBase grain, string @namespace, string key) =>
        grain.GetStreamProvider(StreamNames.Provider).GetStream<T>(StreamId.Create(@namespace, key));

    /// <summary>Attaches the handler of an implicit subscription keyed by this grain's own string key.</summary>
    public static Task SubscribeOwnAsync<T>(this Grain grain, string @namespace, Func<T, Task> handler) =>
        grain.Stream<T>(@namespace, grain.GetPrimaryKeyString()).SubscribeAsync((item, _) => handler(item));
}
