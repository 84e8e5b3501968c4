"""The policymaker view's texts, part 1: the page, the levers and the programs' levers.

Each key maps to its text in Spanish and in English; ``viz.i18n`` looks them up.
"""

POLICY_LEVER_TEXTS: dict[str, tuple[str, str]] = {
    # page
    "title": ("Simulador de primera infancia del Perú", "Peru early-childhood simulator"),
    "tab_policy": ("Decisores de política", "Policymakers"),
    "tab_classroom": ("Aula", "Classroom"),
    "language": ("Idioma", "Language"),
    # levers
    "scenario": ("Escenario de partida", "Starting scenario"),
    "reference": ("Comparar con", "Compare with"),
    "ref_baseline": ("Situación actual", "Status quo"),
    "ref_no_programs": ("Sin programas (contrafactual)", "No programs (counterfactual)"),
    "levers_intro": ("Los controles parten de la situación actual: cada programa tal como lo "
                     "deja la historia 2000-2019, a sus niveles de 2019, con los cambios del "
                     "archivo elegido. Mover un control cambia ese programa desde enero de "
                     "2020; apagar un programa lo termina en diciembre de 2019.",
                     "The levers start at the status quo: each program as the 2000-2019 "
                     "history leaves it, at its 2019 level, with the chosen file's changes. "
                     "Moving a lever changes that program from January 2020; switching a "
                     "program off ends it in December 2019."),
    "reference_note_baseline": ("Referencia: la situación actual, con la misma región, "
                                "horizonte y azar.",
                                "Reference: the status quo, with the same region, horizon and "
                                "chance."),
    "reference_note_no_programs": ("Referencia: un contrafactual en el que todos los programas "
                                   "terminan en diciembre de 2019. "
                                   "No es una política: muestra lo que aportan los programas.",
                                   "Reference: a counterfactual in which every program ends in "
                                   "December 2019. Not a policy: "
                                   "it shows what the programs contribute."),
    "region": ("Región", "Region"),
    "all_peru": ("Todo el Perú", "All Peru"),
    "years": ("Horizonte (años)", "Horizon (years)"),
    "runs": ("Simulaciones", "Runs"),
    "chance_only": ("Solo el azar (sin incertidumbre de parámetros)",
                    "Chance alone (no parameter uncertainty)"),
    "runs_note_draws": ("Cada simulación toma otro juego de parámetros plausibles y vive su "
                        "propia historia 2000-2019: los intervalos incluyen lo que no se sabe "
                        "con certeza y el azar.",
                        "Each run takes another set of plausible parameters and lives its own "
                        "2000-2019 history: the intervals include what is not known for sure "
                        "and chance."),
    "runs_note_chance": ("Cada simulación usa los parámetros por defecto con otra semilla: los "
                         "intervalos muestran solo el azar y son más estrechos de lo que se "
                         "sabe en realidad.",
                         "Each run uses the default parameters with another seed: the "
                         "intervals show chance alone and are narrower than what is really "
                         "known."),
    "precision_note": ("La precisión cambia el ancho de los intervalos, no el resultado.",
                       "Precision changes the width of the intervals, not the answer."),
    "seed": ("Semilla", "Seed"),
    "precision": ("Precisión", "Precision"),
    "precision_fast": ("rápida", "fast"),
    "precision_standard": ("estándar", "standard"),
    "precision_fine": ("fina", "fine"),
    "scale_note": ("1 niño simulado = {scale:g} niños reales; tiempo estimado {seconds} s, "
                   "que incluye simular la historia 2000-2019 (unos {history} s por "
                   "simulación)",
                   "1 simulated child = {scale:g} real children; estimated time {seconds} s, "
                   "including simulating the 2000-2019 history (about {history} s a run)"),
    "scale_note_saved": ("1 niño simulado = {scale:g} niños reales; tiempo estimado {seconds} s "
                         "(la historia 2000-2019 de {saved} de las simulaciones ya está "
                         "guardada en este servidor y se reutiliza)",
                         "1 simulated child = {scale:g} real children; estimated time {seconds} "
                         "s (the 2000-2019 history of {saved} of the runs is already saved on "
                         "this server: it is reused)"),
    "programs": ("Programas", "Programs"),
    "scen_baseline": ("Situación actual (sin cambios)", "Status quo (no changes)"),
    "scen_package": ("Paquete: seis cambios a la vez", "Package: six changes at once"),
    "scen_cct": ("Juntos en todo distrito con 20% de pobreza o más",
                 "Juntos in every district with 20% poverty or more"),
    "scen_sis": ("SIS para el 95% de los hogares pobres", "SIS for 95% of poor households"),
    "scen_serums": ("SERUMS duplicado", "SERUMS doubled"),
    "scen_home_visits": ("Cuna Más a 270,000 familias", "Cuna Más for 270,000 families"),
    "scen_iron": ("Hierro: adherencia 75% y pocos desabastecimientos",
                  "Iron: 75% adherence and few stock-outs"),
    "scen_cred": ("CRED reforzado (asistencia 50%)", "Stronger CRED (50% attendance)"),
    "scen_cuna_mas_1m": ("Cuna Más a un millón de familias", "Cuna Más for a million families"),
    "scen_registry_complete": ("Padrón Nominal completo en cada municipio",
                               "Every municipality's child registry complete"),
    "scen_fed_off": ("Sin el FED (fin de los convenios con los gobiernos regionales)",
                     "No FED (agreements with regional governments ended)"),
    "scen_fed_stronger": ("FED con el doble de presupuesto y metas más altas",
                          "FED with double the budget and higher targets"),
    "scen_municipal_visits_all": ("Visitas municipales contra la anemia en todos los municipios",
                                  "Municipal anemia visits in every municipality"),
    "scen_sms": ("Recordatorios por SMS (Juntos y visitas)",
                 "SMS reminders (Juntos and home visits)"),
    "scen_no_programs": ("Sin programas (contrafactual)", "No programs (counterfactual)"),
    "advanced": ("Opciones avanzadas", "Advanced options"),
    "quick_result": ("Resultado en {date} (cambio por la política; detalle a la derecha):",
                     "Result in {date} (change by the policy; details on the right):"),
    "seed_note": ("La semilla fija el azar: la misma semilla da los mismos resultados.",
                  "The seed fixes chance: the same seed gives the same results."),
    "levers_top": ("Elija escenario y región y haga clic en «Simular»; los controles de "
                   "cada programa están más abajo.",
                   "Choose a scenario and a region and press Run; each program's levers are "
                   "further down."),
    "run": ("Simular", "Run"),
    "stop": ("Detener", "Stop"),
    "running": ("Simulando… {percent}%", "Simulating… {percent}%"),
    "queued": ("En cola: su simulación es la {place}.ª de la fila. Empezará apenas termine "
               "una de las que están en curso (este servidor procesa {slots} a la vez para "
               "que la página siga respondiendo a todos).",
               "Queued: your simulation is number {place} in line. It starts as soon as one "
               "of the running simulations finishes (this server runs {slots} at a time so "
               "that the page keeps answering everyone)."),
    "today_queued": ("En cola para simular la historia: {place}.º lugar en la fila.",
                     "Queued to simulate the history: number {place} in line."),
    "stage_history": ("Simulación {r} de {n}: el modelo simula la historia 2000-2019 (sin "
                      "registrarla)…",
                      "Run {r} of {n}: the model simulates the 2000-2019 history "
                      "(unrecorded)…"),
    "stage_months": ("Simulación {r} de {n}: simulando la referencia y la política…",
                     "Run {r} of {n}: simulating the reference and the policy…"),
    "stopped": ("Detenido: se muestran {done} de {total} simulaciones terminadas.",
                "Stopped: showing {done} of {total} finished runs."),
    "failed": ("La simulación falló: {error}", "The simulation failed: {error}"),
    "not_run": ("Mueva los controles y haga clic en «Simular» para comparar la política con "
                "la referencia.",
                "Move the levers and press Run to compare the policy with the reference."),
    "stale": ("Los controles cambiaron desde esta simulación; haga clic en «Simular» para "
              "actualizarla.",
              "The levers changed since this run; press Run to update."),
    "too_slow": ("Demasiado grande: unos {seconds} s (límite {limit} s). Reduzca las "
                 "simulaciones, el horizonte o la precisión, elija un departamento, o use "
                 "«python run.py compare» con los archivos de abajo.",
                 "Too large: about {seconds} s (limit {limit} s). Reduce runs, horizon or "
                 "precision, pick a department, or use `python run.py compare` with the "
                 "files below."),
    "no_programs": ("Ningún programa activado: la política es igual a la referencia sin "
                    "programas.",
                    "No program is switched on: the policy equals the no-programs reference."),
    "no_change": ("No se movió ningún control: la política es igual a la situación actual.",
                  "No lever has moved: the policy equals the status quo."),
    "cct_no_district": ("Ningún distrito de la región tiene pobreza ≥ {threshold}%: Juntos no "
                        "inscribirá a nadie.",
                        "No district of the region has poverty ≥ {threshold}%: Juntos will "
                        "enrol nobody."),
    "iron_needs_visits": ("Hierro por visitas sin visitas domiciliarias: nadie lo recibirá.",
                          "Iron through visits without home visits: nobody will receive it."),
    "note_rollout_kept": ("Hoy Juntos llega a los {districts} distritos más pobres (la lista "
                          "de la expansión 2005-2010); el control muestra la pobreza del "
                          "último de ellos. Si lo mueve, esa lista se reemplaza por «distritos "
                          "con pobreza mayor que el umbral».",
                          "Today Juntos reaches the {districts} poorest districts (the "
                          "2005-2010 expansion list); the lever shows the poverty of the last "
                          "of them. Moving it replaces that list with 'districts with poverty "
                          "above the threshold'."),
    "note_rollout_replaced": ("Este umbral reemplaza la lista de los {districts} distritos de "
                              "la expansión 2005-2010.",
                              "This threshold replaces the list of the {districts} districts "
                              "of the 2005-2010 expansion."),
    "note_schedule_kept": ("Hoy: {families} familias, según el calendario de crecimiento de "
                           "Cuna Más (2012-2019). Si lo mueve, ese calendario se reemplaza "
                           "por un número fijo desde enero de 2020.",
                           "Today: {families} families, from Cuna Más' growth schedule "
                           "(2012-2019). Moving it replaces that schedule with a fixed number "
                           "from January 2020."),
    "note_schedule_replaced": ("Este número reemplaza el calendario de Cuna Más ({families} "
                               "familias en 2019) desde enero de 2020.",
                               "This number replaces Cuna Más' schedule ({families} families "
                               "in 2019) from January 2020."),
    "reproduce": ("Reproducir en la línea de comandos", "Reproduce on the command line"),
    # programs and their levers
    "prog_cct": ("Juntos (transferencia condicionada)", "Juntos (conditional cash transfer)"),
    "prog_sis": ("SIS (seguro de salud)", "SIS (health insurance)"),
    "prog_serums": ("SERUMS (personal rural)", "SERUMS (rural staffing)"),
    "prog_home_visits": ("Visitas domiciliarias (Cuna Más)", "Home visits (Cuna Más)"),
    "prog_municipal_visits": ("Visitas municipales contra la anemia",
                              "Municipal anemia home visits"),
    "prog_iron": ("Suplemento de hierro", "Iron supplementation"),
    "prog_cred": ("CRED (control de crecimiento)", "CRED (growth monitoring)"),
    "cct.district_poverty_threshold": ("Distritos con pobreza desde (%)",
                                       "Districts with poverty from (%)"),
    "cct.transfer_soles": ("Transferencia (soles cada 2 meses)", "Transfer (soles every 2 months)"),
    "sis.coverage_poor": ("Cobertura de pobres (%)", "Coverage of the poor (%)"),
    "sis.coverage_nonpoor": ("Cobertura de no pobres (%)", "Coverage of the non-poor (%)"),
    "serums.placements_per_year": ("Plazas por año (nacional)", "Placements per year (national)"),
    "serums.rule": ("Regla de asignación", "Allocation rule"),
    "serums.rule.poverty_map": ("más pobres primero", "poorest first"),
    "serums.rule.older": ("sin focalizar (anterior)", "untargeted (older rule)"),
    "home_visits.families": ("Familias visitadas (nacional)", "Families visited (national)"),
    "home_visits.caseload": ("Familias por visitadora", "Families per visitor"),
    "home_visits.stipend": ("Estipendio (soles/mes)", "Stipend (soles/month)"),
    "municipal_visits.max_districts": ("Municipios participantes (nacional)",
                                       "Municipalities taking part (national)"),
    "municipal_visits.max_child_age_months": ("Hogares con un niño menor de (meses)",
                                              "Households with a child under (months)"),
    "iron.start_age_months": ("Edad de inicio (meses)", "Start age (months)"),
    "iron.adherence_mean": ("Adherencia media (%)", "Mean adherence (%)"),
    "iron.channel": ("Entrega", "Delivery"),
    "iron.channel.cred": ("en el control CRED", "at CRED"),
    "iron.channel.visits": ("por visitadoras", "by visitors"),
    "iron.channel.both": ("ambos", "both"),
    "cred.attendance": ("Asistencia a controles (%)", "Check-up attendance (%)"),
    "prog_registry": ("Padrón Nominal (registro municipal de niños)",
                      "Padrón Nominal (municipal child registry)"),
    "registry.floor": ("Padrón completo en cada municipio, al menos (%)",
                       "Registry complete in every municipality, at least (%)"),
    "prog_fed": ("FED (incentivos a los gobiernos regionales)",
                 "FED (incentives to regional governments)"),
    "fed.cred_target": ("Meta: menores de un año con control CRED (%)",
                        "Target: children under one with a CRED check-up (%)"),
    "fed.iron_target": ("Meta: niños de 4 a 11 meses que toman hierro (%)",
                        "Target: children 4-11 months taking iron (%)"),
    "prog_sello": ("Sello Municipal (premio a los municipios)",
                   "Sello Municipal (award to municipalities)"),
    "prog_sms": ("Recordatorios por SMS (Juntos y visitas)",
                 "SMS reminders (Juntos and home visits)"),
    "sms.phone_share": ("Familias con celular que reciben SMS (%)",
                        "Families with a phone that receive SMS (%)"),
    "municipal_visits.incentive_soles_per_child": ("Incentivo por puntos (soles por niño al año)",
                                                   "Points incentive (soles per child a year)"),
}
