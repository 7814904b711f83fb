using Llm4Sbr.Engine.Stages;

namespace Llm4Sbr.Stages.Intent;

/// <summary>Turns the libraries' progress counts into the engine's <see cref="StageProgress"/>.</summary>
internal sealed class CountProgress(IProgress<StageProgress> sink, long total, string message) : IProgress<int>
{
    public void Report(int value) => sink.Report(new StageProgress(value, total, message));
}
