namespace Llm4Sbr.Training.Fitting;

public enum TrainingPhase { Training, Validating, Testing, EpochDone }

/// <summary>Progress of a training run; <see cref="Loss"/> is the running mean loss of the epoch so far.</summary>
public sealed record TrainingProgress(string Model, TrainingPhase Phase, int Epoch, int Epochs, int Batch, int Batches, double Loss);
