"""What tests build their worlds with: the small content tree (content), a trainee through
the exam (exams), through certification (certificates), with a supervisor (hours), many
certificates for the registry (registry), and an SMTP server that can be broken (smtp).
Fixtures that use them are in tests/conftest.py."""
