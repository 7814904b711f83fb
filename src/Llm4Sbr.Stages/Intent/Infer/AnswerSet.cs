using System.Collections.Immutable;
using Llm4Sbr.Core.Answers;

namespace Llm4Sbr.Stages.Intent.Infer;

/// <summary>The <c>infer</c> stage's output: the views (in order) and one <see cref="Answer"/> per
/// prompt, in prompt order (sample, then view). Each answer names its engine and model (<c>offline</c>
/// for the offline engine); <see cref="Answer.Text"/> is what <c>embed</c> embeds, and
/// <see cref="Answer.TextEngine"/> says whose text it is (<c>offline</c> when an empty or unusable
/// reply fell back to the offline answer, flagged by <see cref="Answer.FellBackToOffline"/>).</summary>
public sealed record AnswerSet(ImmutableArray<string> Views, ImmutableArray<Answer> Answers)
{
    public int Count(AnswerStatus status) => Answers.Count(a => a.Status == status);
    public int FellBackToOffline => Answers.Count(a => a.FellBackToOffline);
}
