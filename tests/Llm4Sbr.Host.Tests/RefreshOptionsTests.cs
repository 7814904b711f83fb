using Llm4Sbr.Host.Refresh;

namespace Llm4Sbr.Host.Tests;

public class RefreshOptionsTests
{
    [Fact]
    public void Valid_options_resolve_paths_against_the_repository_root()
    {
        var settings = new RefreshOptions { Pipelines = ["movielens-small"], TimeOfDayUtc = "03:15", CacheRoot = "cache" }
            .Validate("/srv/llm4sbr").Match(s => s, e => throw new InvalidOperationException(e.Message));
        Assert.Equal(new TimeSpan(3, 15, 0), settings.TimeOfDayUtc);
        Assert.Equal("/srv/llm4sbr", settings.RepositoryRoot);
        Assert.Equal("/srv/llm4sbr/cache", settings.CacheRoot);
        Assert.Equal("localize", settings.Until);
    }

    [Fact]
    public void Bad_options_are_refused_naming_each_key()
    {
        var message = new RefreshOptions { Pipelines = [], TimeOfDayUtc = "25:00", Until = " " }
            .Validate("/srv").Match(_ => "", e => e.Message);
        Assert.Contains("Refresh:Pipelines", message);
        Assert.Contains("Refresh:TimeOfDayUtc: '25:00' is not a time of day", message);
        Assert.Contains("Refresh:Until", message);
    }
}
