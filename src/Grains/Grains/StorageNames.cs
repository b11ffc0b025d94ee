namespace OrleansTok.Grains;

public static class StorageNames
{
    /// <summary>The grain storage provider every OrleansTok grain persists to.</summary>
    public const string Grains = "orleanstok";

    /// <summary>Pub-sub bookkeeping of the stream provider.</summary>
    public const string PubSub = "PubSubStore";
}
