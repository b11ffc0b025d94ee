using System.Net.Http.Json;
using Microsoft.Playwright;
using OrleansTok.Tests.Api;

namespace OrleansTok.Tests.E2E;

/// <summary>A real API with a small demo world, and headless Chromium driving the For You page.</summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public ApiServer Server { get; private set; } = null!;
    public IPlaywright Playwright { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;

    public static string ChromiumPath =>
        Environment.GetEnvironmentVariable("ORLEANSTOK_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public static string Artifacts
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "OrleansTok.sln"))) dir = dir.Parent;
            var artifacts = Path.Combine(dir?.FullName ?? AppContext.BaseDirectory, "artifacts", "e2e");
            Directory.CreateDirectory(artifacts);
            return artifacts;
        }
    }

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"Chromium not found at {ChromiumPath}: install the Debian package 'chromium' (.ci/run does) or set ORLEANSTOK_CHROMIUM.");
        }
        Server = await ApiServer.StartAsync("--Demo:Enabled=true", "--Demo:Users=60", "--Demo:Creators=48", "--Demo:Videos=800");
        await Cluster.Eventually.HoldsAsync(async () => (await Server.Client.GetAsync("/v1/videos/v00800")).IsSuccessStatusCode
            && (await Server.Client.GetFromJsonAsync<System.Text.Json.JsonElement>("/v1/trending?count=1")).GetProperty("items").GetArrayLength() > 0,
            TimeSpan.FromSeconds(60), "the demo catalogue");

        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        Playwright.Dispose();
        await Server.DisposeAsync();
    }
}

public class BrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private async Task<IPage> OpenAsUser(string userId, string interests)
    {
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1200, Height = 900 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(fixture.Server.Client.BaseAddress!.ToString());
        // First load opens straight onto the demo user's feed.
        await page.Locator("[data-testid=feed-item]").First.WaitForAsync();
        Assert.Equal("@demo", await page.Locator("#current-user").TextContentAsync());

        await page.GetByRole(AriaRole.Button, new() { Name = "Switch or create user" }).ClickAsync();
        await page.Locator("#create-id").FillAsync(userId);
        await page.Locator("#create-interests").FillAsync(interests);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create user", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("#current-user")).ToHaveTextAsync($"@{userId}");
        await page.Locator("[data-testid=feed-item]").First.WaitForAsync();
        return page;
    }

    private static async Task<List<(string Id, string Creator, string[] Tags)>> Cards(IPage page, string selector = "[data-testid=feed-item]") =>
        (await page.Locator(selector).EvaluateAllAsync<string[][]>(
            "nodes => nodes.map(n => [n.dataset.videoId, n.dataset.creatorId, n.dataset.hashtags])"))
        .Select(a => (a[0], a[1], a[2].Split(' ', StringSplitOptions.RemoveEmptyEntries))).ToList();

    [Fact]
    public async Task Watching_and_liking_cats_makes_the_next_pages_clearly_more_cats()
    {
        var page = await OpenAsUser($"e2e-{Guid.NewGuid():N}"[..20], "dance, gaming, cats, cooking");
        var before = new List<string[]>();
        // Two pages of real behaviour: every #cats card watched to the end and liked, everything else skipped.
        while (before.Count < 20)
        {
            var pending = page.Locator("[data-testid=feed-item]:not(.done)").First;
            await pending.WaitForAsync(new() { Timeout = 10_000 });
            // Pin the card by its id: the pending locator moves on once this card is done.
            var next = page.Locator($"[data-testid=feed-item][data-video-id=\"{await pending.GetAttributeAsync("data-video-id")}\"]");
            var tags = (await next.GetAttributeAsync("data-hashtags"))!.Split(' ');
            before.Add(tags);
            if (tags.Contains("cats"))
            {
                await next.GetByRole(AriaRole.Button, new() { Name = "Watch to end" }).ClickAsync();
                await next.GetByRole(AriaRole.Button, new() { Name = "Like", Exact = true }).ClickAsync();
                await Assertions.Expect(next.GetByRole(AriaRole.Button, new() { Name = "Like", Exact = true })).ToHaveAttributeAsync("aria-pressed", "true");
            }
            else
            {
                await next.GetByRole(AriaRole.Button, new() { Name = "Skip" }).ClickAsync();
            }
            await Assertions.Expect(next).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("done"));
        }

        // The following pages, as the page fetches them.
        var seen = (await Cards(page)).Count;
        for (var i = 0; i < 2; i++)
        {
            await page.GetByRole(AriaRole.Button, new() { Name = "More videos" }).ClickAsync();
            await Assertions.Expect(page.Locator("[data-testid=feed-item]")).Not.ToHaveCountAsync(seen);
            seen = (await Cards(page)).Count;
        }
        var after = (await Cards(page, "[data-testid=feed-item]:not(.done)")).Select(c => c.Tags).ToList();
        var catsBefore = (double)before.Count(t => t.Contains("cats")) / before.Count;
        var catsAfter = (double)after.Count(t => t.Contains("cats")) / after.Count;
        Assert.True(after.Count >= 10, $"only {after.Count} new cards");
        Assert.True(catsAfter >= 0.5 && catsAfter >= catsBefore + 0.2, $"#cats share went from {catsBefore:P0} to {catsAfter:P0}");

        // The live panel shows what was learned.
        var profile = page.Locator("[data-testid=profile-panel]");
        await Assertions.Expect(profile.Locator("#profile-hashtags")).ToContainTextAsync("#cats");
        Assert.NotEqual("0", await page.Locator("#count-likes").TextContentAsync());
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.Artifacts, "feed.png") });
        await profile.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.Artifacts, "profile.png") });
    }

    [Fact]
    public async Task A_hidden_creator_never_shows_again()
    {
        var page = await OpenAsUser($"e2e-{Guid.NewGuid():N}"[..20], "");
        var first = page.Locator("[data-testid=feed-item]").First;
        var creator = (await first.GetAttributeAsync("data-creator-id"))!;
        await first.GetByRole(AriaRole.Button, new() { Name = $"Hide creator @{creator}" }).ClickAsync();
        await Assertions.Expect(page.Locator($"[data-creator-id=\"{creator}\"]")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#profile-hidden")).ToContainTextAsync($"@{creator}");

        var count = (await Cards(page)).Count;
        for (var i = 0; i < 5; i++)
        {
            await page.GetByRole(AriaRole.Button, new() { Name = "More videos" }).ClickAsync();
            await Assertions.Expect(page.Locator("[data-testid=feed-item]")).Not.ToHaveCountAsync(count);
            count = (await Cards(page)).Count;
        }
        Assert.True(count >= 50, $"only {count} cards after five more pages");
        Assert.DoesNotContain(await Cards(page), c => c.Creator == creator);
    }

    [Fact]
    public async Task Every_control_has_an_accessible_name_and_the_page_fits_a_phone()
    {
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 390, Height = 844 }, IsMobile = true });
        var page = await context.NewPageAsync();
        await page.GotoAsync(fixture.Server.Client.BaseAddress!.ToString());
        await page.Locator("[data-testid=feed-item]").First.WaitForAsync();
        var unnamed = await page.Locator("button, input").EvaluateAllAsync<int>(
            "nodes => nodes.filter(n => n.offsetParent !== null && !(n.getAttribute('aria-label') || n.textContent.trim() || n.labels?.length)).length");
        Assert.Equal(0, unnamed);
        var overflow = await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > window.innerWidth + 1");
        Assert.False(overflow, "the page scrolls sideways on a phone");
        // Keyboard: the first card's buttons are reachable with Tab.
        await page.Locator("[data-testid=feed-item]").First.FocusAsync();
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Watch to end", await page.EvaluateAsync<string>("() => document.activeElement.textContent"));
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.Artifacts, "phone.png") });
    }
}
