using System.Text.Json;

// Linked into the test projects that compare records structurally (see their .csproj).
namespace Llm4Sbr.Tests;

/// <summary>Structural equality for records holding immutable arrays (whose own equality is by
/// reference): compare their JSON.</summary>
public static class Structural
{
    static readonly JsonSerializerOptions Options = new() { IncludeFields = true };

    public static string Json<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static void Equal<T>(T expected, T actual) => Xunit.Assert.Equal(Json(expected), Json(actual));
}
