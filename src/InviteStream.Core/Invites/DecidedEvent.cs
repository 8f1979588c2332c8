using InviteStream.Core.Outcomes;

namespace InviteStream.Core.Invites;

/// <summary>
/// One event of a contact's run decided together (<see cref="InviteFlow.DecideAsync(IReadOnlyList{EventInput}, State.ContactStateStore, IContactStateLog, Decisions.Decision?, Action{int}?, CancellationToken)"/>):
/// its outcome, handed over and durable once <see cref="Published"/> completes; an invite to
/// dispatch, already recorded as pending; or neither (it matched no campaign).
/// </summary>
/// <param name="Published">Completes once the outcome is durable (at once when there is none); fails when it could not be written.</param>
public readonly record struct DecidedEvent(InviteOutcome? Outcome, InviteTrigger? Trigger, Task Published);
