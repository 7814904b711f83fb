// llm4sbr-host: refreshes the inference caches of the configured pipelines every night.
//   dotnet run --project src/Llm4Sbr.Host -c Release                      (appsettings.json)
//   dotnet run --project src/Llm4Sbr.Host -c Release -- --Refresh:RunOnStart=true --Refresh:Pipelines:0=amazon-beauty
using Llm4Sbr.Host.Refresh;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

// No torch here: the host refreshes the intent stages (up to localize), and its build carries no libtorch.
var builder = Host.CreateApplicationBuilder(args);
var options = builder.Configuration.GetSection(RefreshOptions.Section).Get<RefreshOptions>() ?? new RefreshOptions();
return await options.Validate(Environment.CurrentDirectory).Match(
    Succ: async settings =>
    {
        // A pipeline that cannot be planned (a typo in its name, a stage it lacks) would fail every night
        // unseen: refuse to start instead, naming each one.
        var check = new EnginePipelineRefresher(settings, Environment.GetEnvironmentVariable, TimeProvider.System, NullLogger<EnginePipelineRefresher>.Instance);
        var problems = new List<string>();
        foreach (var pipeline in settings.Pipelines)
            if (await check.CheckAsync(pipeline, settings.Until, CancellationToken.None) is { } problem)
                problems.Add($"{RefreshOptions.Section}:Pipelines: {pipeline}: {problem.Message}");
        if (problems.Count > 0)
        {
            foreach (var problem in problems) Console.Error.WriteLine($"llm4sbr-host: {problem}");
            return 2;
        }
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<Func<string, string?>>(Environment.GetEnvironmentVariable);
        builder.Services.AddSingleton<IPipelineRefresher, EnginePipelineRefresher>();
        builder.Services.AddHostedService<NightlyRefreshService>();
        await builder.Build().RunAsync();
        return 0;
    },
    Fail: error =>
    {
        // The shell: a bad configuration is one line naming the key, and exit code 2 (as the CLI).
        Console.Error.WriteLine($"llm4sbr-host: {error.Message}");
        return Task.FromResult(2);
    });
