using Microsoft.Extensions.AI;

namespace Llm4Sbr.Inference.Llm;

/// <summary>One server that answers chat requests. <see cref="Name"/> is its base URL (never holds a key);
/// <see cref="Check"/>, when present, says before a run whether the endpoint can serve the model
/// (null: fine, else the problem in words).</summary>
public sealed record ChatEndpoint(string Name, IChatClient Client, Func<CancellationToken, Task<string?>>? Check = null);
