using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using Xunit.Abstractions;

namespace OrleansTok.Tests.Api;

/// <summary>
/// Property: every malformed request to the real HTTP API is answered with a 4xx problem details
/// document — never a 5xx, never a hang — and changes no state. FsCheck generates the requests
/// from a catalogue of mutations (broken JSON, wrong types, missing and extra fields, oversized
/// bodies, batches and strings, control characters and odd Unicode, NaN and huge numbers, negative
/// watch times, unknown and malformed ids, duplicate event ids, unknown interaction types). The
/// seed is printed so a failure can be replayed.
/// </summary>
public sealed class FuzzTests(ApiFixture fixture, ITestOutputHelper output) : IClassFixture<ApiFixture>
{
    private const int Cases = 400;
    private ApiServer Server => fixture.Server;

    /// <summary>One generated request: what it does, to where, with which raw body.</summary>
    public sealed record Attack(string Name, HttpMethod Method, string Path, string? Body, string ContentType = "application/json")
    {
        /// <summary>
        /// A NUL byte in the path is refused by Kestrel itself, with a bare 400, before any OrleansTok
        /// code (and so any problem details writer) runs.
        /// </summary>
        public bool RefusedByKestrel => Path.Contains("%00", StringComparison.Ordinal);

        public override string ToString() => $"{Name}: {Method} {Path} {Preview(Body)}";

        private static string Preview(string? body) => body is null ? "" : body.Length <= 160 ? body : body[..160] + $"… ({body.Length} chars)";
    }

    [Fact]
    public async Task Malformed_requests_get_a_4xx_problem_and_change_nothing()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var user = $"fz-{run}";
        var creator = $"fz-c-{run}";
        var stranger = $"fz-new-{run}";
        var video = $"fz-v-{run}";
        await Ok(Server.As(creator).PostAsJsonAsync("/v1/users", new { id = creator, language = "en", country = "US" }));
        await Ok(Server.As(user).PostAsJsonAsync("/v1/users", new { id = user, language = "en", country = "US", interests = new[] { "cats" } }));
        await Ok(Server.As(creator).PostAsJsonAsync("/v1/videos", new { id = video, creatorId = creator, soundId = "s", language = "en", durationMs = 10000, hashtags = new[] { "cats" } }));
        await Ok(Server.As(user).PostAsJsonAsync($"/v1/users/{user}/interactions", new { events = new[] { new { eventId = "seed", videoId = video, type = "like" } } }));
        var before = await Snapshot(user, video, creator);

        var seed = (ulong)Random.Shared.NextInt64(long.MaxValue);
        output.WriteLine($"FsCheck seed {seed}");
        var attacks = Gen.Sample(Attacks(user, stranger, video), Cases, new Rnd(seed), 30);
        var kinds = new Dictionary<string, int>(StringComparer.Ordinal);
        var authorised = Server.As(user);
        var asStranger = Server.As(stranger);
        foreach (var attack in attacks)
        {
            var http = attack.Path.StartsWith("/v1/users", StringComparison.Ordinal) && attack.Method == HttpMethod.Post && attack.Path == "/v1/users" ? asStranger : authorised;
            using var request = new HttpRequestMessage(attack.Method, attack.Path);
            // As careful clients do with large bodies: the server can refuse one (413) before it is sent.
            request.Headers.ExpectContinue = true;
            if (attack.Body is not null) request.Content = new StringContent(attack.Body, Encoding.UTF8, attack.ContentType);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            using var response = await http.SendAsync(request, timeout.Token);
            var status = (int)response.StatusCode;
            var text = await response.Content.ReadAsStringAsync(timeout.Token);
            Assert.True(status is >= 400 and < 500, $"{attack} → {status} {text}");
            if (attack.RefusedByKestrel)
            {
                Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
                continue;
            }
            Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json", $"{attack} → {status} without problem details: {text}");
            using var problem = JsonDocument.Parse(text);
            Assert.Equal(status, problem.RootElement.GetProperty("status").GetInt32());
            kinds[$"{attack.Name} → {status}"] = kinds.GetValueOrDefault($"{attack.Name} → {status}") + 1;
        }

        foreach (var (kind, count) in kinds.OrderBy(k => k.Key, StringComparer.Ordinal)) output.WriteLine($"{count,4} × {kind}");
        Assert.Equal(before, await Snapshot(user, video, creator));
        Assert.Equal(HttpStatusCode.NotFound, (await asStranger.GetAsync($"/v1/users/{stranger}")).StatusCode);
        Assert.True(kinds.Count >= 20, $"the generator covered only {kinds.Count} kinds of attack");
    }

    private async Task<string> Snapshot(string user, string video, string creator)
    {
        // Counters reach the video through the journal; give an earlier accepted event time to land first.
        await Task.Delay(300);
        var parts = new[]
        {
            await Server.As(user).GetStringAsync($"/v1/users/{user}"),
            await Server.As(user).GetStringAsync($"/v1/users/{user}/profile"),
            await Server.Client.GetStringAsync($"/v1/videos/{video}"),
            await Server.Client.GetStringAsync($"/v1/creators/{creator}"),
        };
        return string.Join('\n', parts);
    }

    private static async Task Ok(Task<HttpResponseMessage> call)
    {
        using var response = await call;
        Assert.True(response.IsSuccessStatusCode, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    // ------------------------------------------------------------------ generators

    private static Gen<Attack> Attacks(string user, string stranger, string video)
    {
        var interactions = $"/v1/users/{user}/interactions";
        var valid = $$"""{"eventId":"E","videoId":"{{video}}","type":"view","watchMs":3000}""";
        var gens = new List<Gen<Attack>>
        {
            BrokenJson(valid).Select(b => new Attack("broken JSON", HttpMethod.Post, interactions, b)),
            BadEventField(video).Select(e => new Attack($"bad {e.Field}", HttpMethod.Post, interactions, Batch(e.Json, valid))),
            MissingField(video).Select(e => new Attack($"missing {e.Field}", HttpMethod.Post, interactions, Batch(e.Json))),
            Gen.Elements("""{"events":[]}""", """{"events":null}""", """{}""", """[]""", """null""", """{"events":{}}""", """{"events":"x"}""",
                    """{"events":[null]}""", """{"events":[1,2]}""", "\"\"", "")
                .Select(b => new Attack("bad envelope", HttpMethod.Post, interactions, b)),
            Gen.Elements("extra", "EventId ", "__proto__", "type2").Select(k => new Attack("extra field", HttpMethod.Post, interactions,
                Batch(valid.Replace("}", $",\"{k}\":1}}", StringComparison.Ordinal)))),
            Gen.Elements("extra", "meta").Select(k => new Attack("extra top-level field", HttpMethod.Post, interactions,
                $$"""{"events":[{{valid}}],"{{k}}":true}""")),
            Gen.Choose(1001, 1500).Select(n => new Attack("batch too large", HttpMethod.Post, interactions,
                Batch(Enumerable.Range(0, n).Select(i => valid.Replace("\"E\"", $"\"E{i}\"", StringComparison.Ordinal)).ToArray()))),
            Gen.Choose(1_100_000, 1_300_000).Select(n => new Attack("oversized body", HttpMethod.Post, interactions,
                $$"""{"events":[{"eventId":"{{new string('a', n)}}","videoId":"{{video}}","type":"like"}]}""")),
            Gen.Choose(2, 20).Select(n => new Attack("duplicate event ids in one batch", HttpMethod.Post, interactions,
                Batch(Enumerable.Repeat(valid, n).ToArray()))),
            Gen.Elements("not-a-video", "v-404", "unknown.video:1").Select(v => new Attack("unknown video", HttpMethod.Post, interactions,
                Batch(valid.Replace(video, v, StringComparison.Ordinal), valid.Replace("\"E\"", "\"E2\"", StringComparison.Ordinal)))),
            Gen.Elements("text/plain", "application/xml", "application/x-www-form-urlencoded").Select(ct => new Attack("wrong content type", HttpMethod.Post, interactions, Batch(valid), ct)),
            BadUser(stranger).Select(b => new Attack("bad new user", HttpMethod.Post, "/v1/users", b)),
            BadUpload(user).Select(b => new Attack("bad upload", HttpMethod.Post, "/v1/videos", b)),
            Gen.Elements("0", "-1", "51", "abc", "1e9", "99999999999", "NaN", "%00", "1.5").Select(c => new Attack("bad feed count", HttpMethod.Get, $"/v1/users/{user}/feed?count={c}", null)),
            OddId().Select(id => new Attack("odd user id in path", HttpMethod.Get, $"/v1/users/{Uri.EscapeDataString(id)}/feed", null)),
            OddId().Select(id => new Attack("odd video id in path", HttpMethod.Get, $"/v1/videos/{Uri.EscapeDataString(id)}", null)),
            OddId().Select(id => new Attack("odd id in event", HttpMethod.Post, interactions, Batch(valid.Replace(video, Json(id), StringComparison.Ordinal)))),
        };
        return Gen.OneOf(gens);
    }

    private static string Batch(params string[] events) => $$"""{"events":[{{string.Join(',', events)}}]}""";

    /// <summary>A JSON string literal's content (without quotes), escaping what JSON requires.</summary>
    private static string Json(string value) => JsonSerializer.Serialize(value)[1..^1];

    private static Gen<string> BrokenJson(string valid)
    {
        var body = Batch(valid);
        return Gen.OneOf(
            Gen.Choose(1, body.Length - 1).Select(n => body[..n]),                                   // truncated
            Gen.Choose(0, body.Length - 1).SelectMany(i => Gen.Elements("{", "}", "[", "\"", ",", ":", "\\", "\u0000"),
                (i, c) => body.Insert(i, c)),                                                       // a stray token
            Gen.ArrayOf(Gen.Choose(0, 255)).Select(bytes => Encoding.Latin1.GetString(bytes.Select(b => (byte)b).ToArray()))) // noise
            .Where(s => !IsValidJson(s)); // a stray ':' inside a string is still valid JSON
    }

    private static bool IsValidJson(string s)
    {
        try
        {
            using var d = JsonDocument.Parse(s);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static Gen<(string Field, string Json)> BadEventField(string video)
    {
        var values = new Dictionary<string, string[]>(StringComparer.Ordinal)
        {
            ["eventId"] = ["123", "true", "[]", "{}", "\"\"", "\" \"", "\"a b\"", "\"\\u0000\"", $"\"{new string('x', 65)}\"", "\"\\u202e\"", "\"é\"", "\"\\ud800\"", "\"😀\""],
            ["videoId"] = ["123", "false", "[\"x\"]", "\"\"", "\"../etc/passwd\"", "\"\\t\"", $"\"{new string('v', 200)}\""],
            ["type"] = ["\"jump\"", "\"\"", "\"VIEW \"", "1", "null", "[]", "\"notInterested\"", "\"like\\u0000\""],
            ["watchMs"] = ["-1", "-2147483648", "2147483648", "1e400", "NaN", "Infinity", "\"10\"", "1.5", "true", "86400001", "99999999999999999999"],
            ["at"] = ["\"yesterday\"", "123", "\"9999-01-01T00:00:00Z\"", "\"2026-13-45T00:00:00Z\"", "[]"],
            ["feedRequestId"] = ["\"a b\"", "123", "\"\\n\"", $"\"{new string('r', 65)}\""],
        };
        return Gen.Elements(values.Keys.ToArray()).SelectMany(f => Gen.Elements(values[f]), (field, value) =>
        {
            var fields = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["eventId"] = "\"bad-field\"",
                ["videoId"] = $"\"{video}\"",
                ["type"] = "\"view\"",
                ["watchMs"] = "3000",
            };
            fields[field] = value;
            return (field, "{" + string.Join(',', fields.Select(kv => $"\"{kv.Key}\":{kv.Value}")) + "}");
        });
    }

    private static Gen<(string Field, string Json)> MissingField(string video) =>
        Gen.Elements("eventId", "videoId", "type", "watchMs").Select(missing =>
        {
            var fields = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["eventId"] = "\"missing-field\"",
                ["videoId"] = $"\"{video}\"",
                ["type"] = "\"view\"",
                ["watchMs"] = "3000",
            };
            fields.Remove(missing);
            return (missing, "{" + string.Join(',', fields.Select(kv => $"\"{kv.Key}\":{kv.Value}")) + "}");
        });

    private static Gen<string> OddId() => Gen.OneOf(
        Gen.Elements("a b", "a/b", "..", "\u0000", "\u202eabc", "é", "😀", "<script>", "a;drop table", "%", "\t", "x\ny"),
        Gen.Choose(65, 300).Select(n => new string('z', n)));

    private static Gen<string> BadUser(string stranger)
    {
        string Body(string id, string language, string country, string interests) =>
            $$"""{"id":{{id}},"language":{{language}},"country":{{country}},"interests":{{interests}}}""";
        var id = $"\"{stranger}\"";
        return Gen.Elements(
            Body(id, "\"english\"", "\"US\"", "[]"),
            Body(id, "\"en\"", "\"usa\"", "[]"),
            Body(id, "\"EN\"", "\"US\"", "[]"),
            Body(id, "\"en\"", "\"US\"", "[\"a b\"]"),
            Body(id, "\"en\"", "\"US\"", "[" + string.Join(',', Enumerable.Range(0, 40).Select(i => $"\"t{i}\"")) + "]"),
            Body(id, "\"en\"", "\"US\"", "\"cats\""),
            Body(id, "1", "\"US\"", "[]"),
            Body("\"someone-else\"", "\"en\"", "\"US\"", "[]"),
            Body("\"\"", "\"en\"", "\"US\"", "[]"),
            Body(id, "\"en\"", "null", "[]"),
            $$"""{"id":"{{stranger}}","language":"en","country":"US","admin":true}""",
            $$"""{"id":"{{stranger}}","language":"en"}""");
    }

    private static Gen<string> BadUpload(string user)
    {
        string Body(string durationMs, string hashtags, string caption, string sound = "\"s\"", string creator = "") =>
            $$"""{"id":"fz-upload-{{Guid.NewGuid():N}}","creatorId":"{{(creator.Length > 0 ? creator : user)}}","soundId":{{sound}},"language":"en","durationMs":{{durationMs}},"hashtags":{{hashtags}},"caption":{{caption}}}""";
        return Gen.Elements(
            Body("-1", "[]", "\"\""),
            Body("0", "[]", "\"\""),
            Body("1e12", "[]", "\"\""),
            Body("NaN", "[]", "\"\""),
            Body("\"ten\"", "[]", "\"\""),
            Body("10000", "[\"a b\"]", "\"\""),
            Body("10000", "[" + string.Join(',', Enumerable.Range(0, 31).Select(i => $"\"t{i}\"")) + "]", "\"\""),
            Body("10000", "[]", "\"bell\\u0007\""),
            Body("10000", "[]", $"\"{new string('c', 2201)}\""),
            Body("10000", "[]", "\"\"", sound: "\"\""),
            Body("10000", "[]", "\"\"", creator: "someone-else"),
            Body("10000", "{}", "\"\""));
    }
}
