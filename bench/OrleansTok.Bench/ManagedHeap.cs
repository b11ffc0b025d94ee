using System.Globalization;
using System.Text.RegularExpressions;

namespace OrleansTok.Bench;

/// <summary>
/// The server's managed heap after its last GC, summed over generations, from the .NET runtime
/// meter on its management port (<c>dotnet_gc_last_collection_heap_size_bytes</c>).
/// </summary>
public static partial class ManagedHeap
{
    public static async Task<long> ReadAsync(string managementUrl)
    {
        using var http = new HttpClient { BaseAddress = new Uri(managementUrl) };
        var text = await http.GetStringAsync("/metrics");
        return (long)HeapLine().Matches(text).Sum(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"^dotnet_gc_last_collection_heap_size_bytes\{[^}]*\} (\S+)", RegexOptions.Multiline)]
    private static partial Regex HeapLine();
}
