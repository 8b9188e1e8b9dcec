"""The domain: the annual plan, the unit directory, processes started and tasks done, the records they leave and
the reports read from them. English in code, Chinese government terms in data.

Packages by capability, each importing only those below it (checked by import-linter, see .importlinter):

    demo, schema                        compose everything (the demo data set; every table)
    reports | tasks | processes         figures read from the records | the inbox and doing a task | deploying
    cases                               opening a 条块约请, check, meeting or access application
    projects                            the plan in motion: activation, project pages, replacing a plan
    runtime                             the engine as the domain runs it (router, script functions)
    records                             the fact tables, their recorders, scoring, settings, history wording
    plan | accounts                     the plan's data and file | users, sign-in, tokens, the acting user
    directory                           units, groups, lane routing
    forms | workdays                    form checking | Chinese working days
    holidays                            the working-day calendar the office keeps (holidays, 调休, notice import)

Nothing here imports web/; everything may use engine/.
"""
