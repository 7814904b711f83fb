using Llm4Sbr.Tests.Shared;
using Llm4Sbr.Engine.Stages;
using Llm4Sbr.Stages.Intent.Embed;
using Llm4Sbr.Stages.Intent.Infer;
using Llm4Sbr.Stages.Intent.Localize;
using Llm4Sbr.Stages.Intent.Prompts;
using Llm4Sbr.Stages.Intent.Titles;
using Llm4Sbr.Stages.Tests.Intent.Support;

namespace Llm4Sbr.Stages.Tests.Intent;

/// <summary>The README's schema tables are the codecs' own documentation, so they cannot drift.</summary>
public sealed class SchemaDocTests
{
    [Fact]
    public void The_readme_documents_every_file_the_intent_codecs_write()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "src", "Llm4Sbr.Stages", "Intent", "README.md")).ReplaceLineEndings("\n");
        IStageCodec[] codecs = [TitleEmbeddingsCodec.Instance, PromptSetCodec.Instance, AnswerSetCodec.Instance, AnswerEmbeddingsCodec.Instance, ViewEmbeddingsCodec.Instance];
        foreach (var codec in codecs)
        {
            Assert.Contains($"### codec {codec.Id}", readme);
            foreach (var table in codec.Tables)
                Assert.Contains(table.ToMarkdown(), readme);
        }
    }
}
