namespace Llm4Sbr.Core.Answers;

/// <summary>Quality of a reply after cleaning.</summary>
public enum AnswerStatus
{
    /// <summary>A usable item name.</summary>
    Ok = 0,
    /// <summary>Nothing left after cleaning.</summary>
    Empty = 1,
    /// <summary>Text that is not an item name (a refusal, no letters or digits, far too long).</summary>
    Unusable = 2,
}

/// <summary>A cleaned reply and its assessment; <see cref="Issue"/> says why when not <see cref="AnswerStatus.Ok"/>.</summary>
public sealed record CleanedAnswer(string Text, AnswerStatus Status, string? Issue);

/// <summary>The <c>infer</c> stage's output for one prompt (sample and view).
/// <see cref="Engine"/>/<see cref="Model"/> name who was asked (<c>offline</c> for the offline engine);
/// <see cref="Raw"/> is the reply as received, <see cref="Cleaned"/> its cleaned form and
/// <see cref="Status"/> its quality. <see cref="Text"/> is what later stages embed: <see cref="Cleaned"/>
/// when usable, otherwise the offline engine's answer, in which case <see cref="FellBackToOffline"/> is
/// true, <see cref="TextEngine"/> is <c>offline</c> and <see cref="Issue"/> says why.
/// <see cref="OfflineItemId"/> is the item whose title <see cref="Text"/> is when it came from the offline engine.</summary>
public sealed record Answer(
    long SampleId,
    string View,
    string PromptHash,
    string Engine,
    string Model,
    string Raw,
    string Cleaned,
    AnswerStatus Status,
    string Text,
    string TextEngine,
    bool FellBackToOffline,
    int? OfflineItemId,
    string? Issue);
