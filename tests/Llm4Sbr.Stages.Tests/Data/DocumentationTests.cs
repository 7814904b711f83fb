using Llm4Sbr.Tests.Shared;
using Llm4Sbr.Stages.Data;
using Llm4Sbr.Engine.Parquet;
using Llm4Sbr.Stages.Tests.Intent.Support;

namespace Llm4Sbr.Stages.Tests.Data;

public sealed class DocumentationTests
{
    [Fact]
    public void The_engine_readme_documents_the_parquet_schemas_the_codecs_write()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "src", "Llm4Sbr.Engine", "README.md"));
        const string begin = "<!-- schemas:begin -->\n", end = "<!-- schemas:end -->";
        var start = readme.IndexOf(begin, StringComparison.Ordinal) + begin.Length;
        var documented = readme[start..readme.IndexOf(end, StringComparison.Ordinal)];
        // On a mismatch, paste the generated text (the expected value) into the README.
        Assert.Equal(SchemaDocs.Markdown(DataStageSchemas.All), documented);
    }
}
