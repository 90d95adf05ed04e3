"""Transaction events (issue 14): the ``transaction.created`` event a committed transaction
becomes, and the publisher that turns DynamoDB stream records into SNS messages."""
