using System.Diagnostics;
using System.Net.Http.Json;
using HdrHistogram;

namespace OrleansTok.Bench;

/// <summary>A closed-loop load: N workers each send a request, wait for the answer, and send the next.</summary>
public sealed record LoadResult(string Name, int Concurrency, double RequestsPerSecond, double P50Ms, double P90Ms, double P99Ms, long Errors, double ItemsPerSecond);

public static class Load
{
    public static async Task<LoadResult> RunAsync(string name, int concurrency, TimeSpan duration, Func<int, Random, Task<int>> request)
    {
        var histogram = new LongConcurrentHistogram(1, TimeStamp.Minutes(1), 3);
        long completed = 0, errors = 0, items = 0;
        using var stop = new CancellationTokenSource(duration);
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(w => Task.Run(async () =>
        {
            var random = new Random(w * 7919 + Environment.TickCount);
            while (!stop.IsCancellationRequested)
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    var n = await request(w, random);
                    Interlocked.Add(ref items, n);
                    Interlocked.Increment(ref completed);
                }
                catch (Exception) when (!stop.IsCancellationRequested)
                {
                    Interlocked.Increment(ref errors);
                }
                catch (Exception)
                {
                    break;
                }
                histogram.RecordValue(Math.Max(1, Stopwatch.GetTimestamp() - started));
            }
        })).ToArray();
        await Task.WhenAll(workers);
        var seconds = clock.Elapsed.TotalSeconds;
        double Ms(double percentile) => histogram.GetValueAtPercentile(percentile) * 1000.0 / Stopwatch.Frequency;
        return new LoadResult(name, concurrency, completed / seconds, Ms(50), Ms(90), Ms(99), errors, items / seconds);
    }

    public static async Task<int> Ok(Task<HttpResponseMessage> call, int items = 1)
    {
        using var response = await call;
        if (!response.IsSuccessStatusCode) throw new HttpRequestException($"{(int)response.StatusCode}");
        await response.Content.LoadIntoBufferAsync();
        return items;
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    public static double Percentile(IReadOnlyList<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p / 100 * sorted.Length) - 1)];
    }

    public static Task<HttpResponseMessage> PostJson(HttpClient http, string path, object body, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new("Bearer", token);
        return http.SendAsync(request);
    }

    public static Task<HttpResponseMessage> Get(HttpClient http, string path, string? token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null) request.Headers.Authorization = new("Bearer", token);
        return http.SendAsync(request);
    }
}
