namespace Tenure.Domain.Billing;

/// <summary>
/// R8.8, for <c>tenure verify</c>: every month's statement of an account, made from its ledger as the API makes it,
/// must add up (opening + movements = closing), open at the previous month's close, and the last one must close
/// at the balance the account holds.
/// </summary>
public static class StatementAudit
{
    /// <summary>
    /// What is wrong with the statements of an account holding <paramref name="balance"/>, given its cash lines in time
    /// order (then ID order); empty when every month adds up.
    /// </summary>
    public static IEnumerable<string> Check(Time.BillingCalendar calendar, string accountId, long balance, IEnumerable<LedgerLine> lines)
    {
        long closing = 0;
        foreach (var month in lines.Where(l => l.IsCash).GroupBy(l => Statements.MonthOf(calendar, l.At)))
        {
            var statement = Statements.Of(month.Key, closing, month);
            if (checked(statement.Opening + statement.Movements) != statement.Closing)
            {
                yield return $"{accountId} {Statements.Name(month.Key)}: opens at {statement.Opening}, moves {statement.Movements}, " +
                    $"closes at {statement.Closing}";
            }

            closing = statement.Closing;
        }

        if (closing != balance) yield return $"{accountId}: the last statement closes at {closing}, the balance is {balance}";
    }
}
