using Llm4Sbr.Stages.Data.Codecs;
using Llm4Sbr.Engine.Stages;

namespace Llm4Sbr.Stages.Data;

/// <summary>The data stages' codecs by stage, for documentation.</summary>
public static class DataStageSchemas
{
    public static IEnumerable<(string Stage, IStageCodec Codec)> All =>
    [
        (LoadStage.Name, LoadedDataCodec.Instance),
        (SessionsStage.Name, SessionSetCodec.Instance),
        (SplitStage.Name, SplitSetCodec.Instance),
        (SamplesStage.Name, SampleSetCodec.Instance),
    ];
}
