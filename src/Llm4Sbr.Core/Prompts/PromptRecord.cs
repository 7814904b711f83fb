using System.Collections.Immutable;

namespace Llm4Sbr.Core.Prompts;

/// <summary>One prompt: for sample <see cref="SampleId"/> and view <see cref="View"/>, the clicks it
/// shows (<see cref="ItemIds"/>, already cut to the last <c>MaxItems</c>, oldest first), the text sent
/// to the LLM and <see cref="Hash"/> = lower-case hex SHA-256 of the UTF-8 text (the cache key's part).</summary>
public sealed record PromptRecord(long SampleId, string View, ImmutableArray<int> ItemIds, string Text, string Hash);
