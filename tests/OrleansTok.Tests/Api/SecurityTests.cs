using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OrleansTok.Api;

namespace OrleansTok.Tests.Api;

/// <summary>Authentication, authorisation, rate limits and size limits, through the real HTTP pipeline.</summary>
public class SecurityTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private readonly ApiServer _server = fixture.Server;

    private async Task<string> CreateUser()
    {
        var id = $"s-{Guid.NewGuid():N}"[..24];
        var created = await _server.As(id).PostAsJsonAsync("/v1/users", new { id, language = "en", country = "US" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return id;
    }

    private async Task<HttpStatusCode> FeedWith(string userId, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/users/{userId}/feed");
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return (await _server.Client.SendAsync(request)).StatusCode;
    }

    [Fact]
    public async Task Missing_malformed_expired_wrongly_signed_and_foreign_tokens_are_401()
    {
        var user = await CreateUser();
        Assert.Equal(HttpStatusCode.OK, await FeedWith(user, ApiServer.Token(user)));
        Assert.Equal(HttpStatusCode.Unauthorized, await FeedWith(user, null));
        Assert.Equal(HttpStatusCode.Unauthorized, await FeedWith(user, "not.a.jwt"));
        Assert.Equal(HttpStatusCode.Unauthorized, await FeedWith(user, ApiServer.Token(user, expires: DateTime.UtcNow.AddMinutes(-5))));
        Assert.Equal(HttpStatusCode.Unauthorized, await FeedWith(user, ApiServer.Token(user, key: "another-key-that-is-long-enough-0123456789")));
        Assert.Equal(HttpStatusCode.Unauthorized, await FeedWith(user, ApiServer.Token(user, audience: "someone-else")));
        Assert.Equal(HttpStatusCode.Unauthorized, await FeedWith(user, ApiServer.Token(user, issuer: "someone-else")));

        var response = await _server.Client.GetAsync($"/v1/users/{user}/feed");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Another_users_resources_are_403_and_change_nothing()
    {
        var alice = await CreateUser();
        var bob = await CreateUser();
        var asBob = _server.As(bob);
        Assert.Equal(HttpStatusCode.Forbidden, (await asBob.GetAsync($"/v1/users/{alice}/feed")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await asBob.GetAsync($"/v1/users/{alice}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await asBob.PostAsync($"/v1/users/{alice}/feed/reset", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await asBob.PutAsync($"/v1/users/{alice}/following/{bob}", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await asBob.PostAsJsonAsync("/v1/users", new { id = "someone-new", language = "en", country = "US" })).StatusCode);
        var events = new { events = new[] { new { eventId = "x", videoId = "v", type = "like" } } };
        Assert.Equal(HttpStatusCode.Forbidden, (await asBob.PostAsJsonAsync($"/v1/users/{alice}/interactions", events)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await asBob.PostAsJsonAsync("/v1/videos",
            new { id = "stolen", creatorId = alice, soundId = "s", language = "en", durationMs = 5000 })).StatusCode);

        var aliceView = await _server.As(alice).GetFromJsonAsync<JsonElement>($"/v1/users/{alice}");
        Assert.Equal((0, 0L), (aliceView.GetProperty("following").GetInt32(), aliceView.GetProperty("interactions").GetInt64()));
        Assert.Equal(HttpStatusCode.NotFound, (await _server.Client.GetAsync("/v1/videos/stolen")).StatusCode);
    }

    [Fact]
    public async Task Moderation_needs_admin_and_creators_may_only_take_down_their_own_videos()
    {
        var creator = await CreateUser();
        var other = await CreateUser();
        var video = $"mod-{Guid.NewGuid():N}"[..20];
        var upload = await _server.As(creator).PostAsJsonAsync("/v1/videos", new { id = video, creatorId = creator, soundId = "s", language = "en", durationMs = 5000 });
        Assert.Equal(HttpStatusCode.Created, upload.StatusCode);

        async Task<HttpStatusCode> SetStatus(HttpClient client, string status) =>
            (await client.PutAsJsonAsync($"/v1/videos/{video}/status", new { status })).StatusCode;

        Assert.Equal(HttpStatusCode.Unauthorized, await SetStatus(_server.Client, "removed"));
        Assert.Equal(HttpStatusCode.Forbidden, await SetStatus(_server.As(other), "removed"));
        Assert.Equal(HttpStatusCode.Forbidden, await SetStatus(_server.As(creator), "under_review"));
        Assert.Equal(HttpStatusCode.OK, await SetStatus(_server.As(creator), "removed"));
        Assert.Equal(HttpStatusCode.Forbidden, await SetStatus(_server.As(creator), "active"));
        Assert.Equal(HttpStatusCode.OK, await SetStatus(_server.As("moderator", "admin"), "active"));
        Assert.Equal("active", (await _server.Client.GetFromJsonAsync<JsonElement>($"/v1/videos/{video}")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Public_pages_need_no_token()
    {
        Assert.Equal(HttpStatusCode.OK, (await _server.Client.GetAsync("/v1/trending")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _server.Client.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _server.Client.GetAsync("/openapi/v1.json")).StatusCode);
    }

    [Fact]
    public async Task Oversized_bodies_are_413_and_oversized_batches_400()
    {
        var user = await CreateUser();
        var client = _server.As(user);
        // The server answers 413 from the declared length and closes the connection without reading
        // the body, so a client still sending it can see a broken pipe instead of the answer. Asking
        // first (Expect: 100-continue), as clients of large uploads do, gets the 413 before any body.
        using var huge = new HttpRequestMessage(HttpMethod.Post, $"/v1/users/{user}/interactions")
        {
            Content = new StringContent("{\"events\":[" + new string(' ', (int)ApiHost.MaxBodyBytes + 10) + "]}", Encoding.UTF8, "application/json"),
        };
        huge.Headers.ExpectContinue = true;
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await client.SendAsync(huge)).StatusCode);

        var events = Enumerable.Range(0, 1001).Select(i => new { eventId = $"e{i}", videoId = "v", type = "like" }).ToArray();
        var tooMany = await client.PostAsJsonAsync($"/v1/users/{user}/interactions", new { events });
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);

        var longCaption = await client.PostAsJsonAsync("/v1/videos", new { id = "long", creatorId = user, caption = new string('x', 3000), soundId = "s", language = "en", durationMs = 5000 });
        Assert.Equal(HttpStatusCode.BadRequest, longCaption.StatusCode);
        var tags = await client.PostAsJsonAsync("/v1/videos", new { id = "tags", creatorId = user, hashtags = Enumerable.Range(0, 31).Select(i => $"t{i}").ToArray(), soundId = "s", language = "en", durationMs = 5000 });
        Assert.Equal(HttpStatusCode.BadRequest, tags.StatusCode);
    }

    [Fact]
    public async Task The_development_token_endpoint_issues_usable_tokens()
    {
        var response = await _server.Client.PostAsJsonAsync("/dev/token", new { userId = "dev-user", roles = new[] { "admin" } });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var token = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/users") { Content = JsonContent.Create(new { id = "dev-user", language = "en", country = "US" }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        Assert.Equal(HttpStatusCode.Created, (await _server.Client.SendAsync(request)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _server.Client.PostAsJsonAsync("/dev/token", new { userId = "x", roles = new[] { "root" } })).StatusCode);
    }
}

public class SecurityConfigurationTests
{
    [Fact]
    public async Task Rate_limits_answer_429_with_retry_after_then_recover()
    {
        await using var server = await ApiServer.StartAsync("--RateLimits:PerUserPerSecond=2", "--RateLimits:PerUserBurst=3");
        var client = server.As("limited");
        // Asking until the first refusal, not a fixed number of times: on a loaded machine a few slow
        // requests would let the bucket refill between them and the test would measure the machine.
        HttpResponseMessage? limited = null;
        var (through, asking) = (0, System.Diagnostics.Stopwatch.StartNew());
        while (limited is null && through < 50)
        {
            var response = await client.GetAsync("/v1/users/limited");
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited = response;
                continue;
            }
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            through++;
        }
        Assert.NotNull(limited);
        // The burst of 3 went through, and no more than the refills while asking: 2 tokens at each
        // one-second tick, of which the time taken spans at most its whole seconds plus one.
        Assert.InRange(through, 3, 3 + 2 * ((int)asking.Elapsed.TotalSeconds + 1));
        Assert.True(limited.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);

        await Task.Delay(limited.Headers.RetryAfter!.Delta!.Value + TimeSpan.FromMilliseconds(200));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/v1/users/limited")).StatusCode); // through again (no such user)
        // Another user is not affected by this user's limit.
        Assert.NotEqual(HttpStatusCode.TooManyRequests, (await server.As("other").GetAsync("/v1/users/other")).StatusCode);
    }

    [Fact]
    public async Task Production_refuses_to_start_without_a_key_and_has_no_development_endpoint()
    {
        await Assert.ThrowsAsync<InvalidOperationException>(() => ApiHost.BuildAsync(["--environment=Production", "--Demo:Enabled=false"]));
        await Assert.ThrowsAsync<InvalidOperationException>(() => ApiHost.BuildAsync(
            ["--environment=Production", "--Demo:Enabled=false", "--Auth:Issuer=i", "--Auth:Audience=a", "--Auth:SigningKey=short"]));

        await using var production = await ApiServer.StartAsync("--environment=Production");
        var devToken = await production.Client.PostAsJsonAsync("/dev/token", new { userId = "x" });
        Assert.Equal(HttpStatusCode.NotFound, devToken.StatusCode);
    }
}
