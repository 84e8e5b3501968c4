"""The policymaker view's texts, part 2: outcomes, headline, map, Peru today, equity, downloads.

Each key maps to its text in Spanish and in English; ``viz.i18n`` looks them up.
"""

POLICY_RESULT_TEXTS: dict[str, tuple[str, str]] = {
    # outcomes
    "stunting": ("Desnutrición crónica", "Stunting"),
    "anemia": ("Anemia", "Anemia"),
    "stunting_long": ("Desnutrición crónica, 0-59 meses (%)", "Stunting, children 0-59 months (%)"),
    "anemia_long": ("Anemia, 6-35 meses (%)", "Anemia, children 6-35 months (%)"),
    "policy": ("Política", "Policy"),
    "band": ("intervalo 90%", "90% interval"),
    "date": ("Fecha", "Date"),
    "prevalence": ("Prevalencia (%)", "Prevalence (%)"),
    "prevalence_band": ("Prevalencia (%): mediana e intervalo 90%",
                        "Prevalence (%): median and 90% interval"),
    "pp": ("p.p.", "pp"),
    "change_pp": ("Cambio (p.p.)", "Change (pp)"),
    # headline
    "headline": ("Al final del horizonte ({date}), mediana e intervalo de 90% de {n} "
                 "simulaciones",
                 "At the end of the horizon ({date}), median and 90% interval of {n} runs"),
    "interval_title_draws": ("Intervalo de 90%: el 90% de los modelos plausibles y del azar",
                             "90% interval: 90% of plausible models and chance"),
    "interval_text_draws": ("Cada simulación toma valores plausibles de lo que no se sabe con "
                            "certeza, según la evidencia (por ejemplo, cuánto reduce la anemia "
                            "el hierro) y la calibración del modelo con las encuestas, y suma "
                            "el azar de una simulación a otra. No incluye el error de muestreo "
                            "de las encuestas ni lo que la estructura del modelo deja fuera.",
                            "Each run takes plausible values for what is not known for sure, "
                            "from the evidence (for example, how much iron lowers anemia) and "
                            "the model's calibration to the surveys, plus run-to-run chance. "
                            "It does not include the surveys' sampling error or what the "
                            "model's structure leaves out."),
    "interval_title_chance": ("Intervalo de 90%: solo el azar", "90% interval: chance alone"),
    "interval_text_chance": ("Todas las simulaciones usan los parámetros por defecto y solo "
                             "difieren por azar: el intervalo no incluye la incertidumbre de "
                             "la evidencia ni de la calibración, y es más estrecho de lo que "
                             "se sabe en realidad.",
                             "Every run uses the default parameters and they differ only by "
                             "chance: the interval leaves out the uncertainty of the evidence "
                             "and of the calibration, and is narrower than what is really "
                             "known."),
    "interval_short_draws": ("intervalo 90%: modelos plausibles y azar",
                             "90% interval: plausible models and chance"),
    "interval_short_chance": ("intervalo 90%: solo azar", "90% interval: chance alone"),
    "difference": ("Diferencia", "Difference"),
    "cases_averted": ("Años-niño evitados", "Child-years averted"),
    "cost": ("Costo adicional acumulado (millones S/)",
             "Added cumulative cost (million soles)"),
    "cost_per_case": ("S/ por año-niño evitado", "Soles per child-year averted"),
    "not_applicable": ("no aplica (no evita años-niño)", "n/a (no child-years averted)"),
    # map
    "map": ("Mapa", "Map"),
    "map_metric": ("Indicador", "Indicator"),
    "map_show": ("Mostrar", "Show"),
    "map_level_policy": ("nivel con la política", "level with the policy"),
    "map_level_reference": ("nivel sin la política: {reference}",
                            "level without the policy: {reference}"),
    "map_change": ("cambio por la política (p.p.)", "change due to the policy (pp)"),
    "map_date": ("Fecha del mapa", "Map date"),
    "map_level": ("Nivel", "Level"),
    "map_by_district": ("por distrito", "by district"),
    "map_by_province": ("por provincia", "by province"),
    "map_by_department": ("por departamento", "by department"),
    "map_no_children": ("sin niños simulados", "no simulated children"),
    "map_simulated": ("{n} niños simulados", "{n} simulated children"),
    "map_few": ("(pocos: cifra muy incierta; vea la provincia o el departamento)",
                "(few: a very uncertain figure; see the province or department)"),
    "map_hint": ("Pase el cursor por el mapa para ver nombres y valores (medianas de las "
                 "simulaciones). Con todo el Perú cada distrito tiene pocos niños simulados: el "
                 "mapa muestra provincias; elija un departamento o la precisión fina para ver "
                 "distritos.",
                 "Hover over the map for names and values (medians over runs). With all "
                 "Peru each district has few simulated children: the map shows provinces; pick "
                 "a department or fine precision to see districts."),
    "map_median": ("Valores: medianas de las simulaciones.", "Values: medians over runs."),
    # Peru today
    "today_title": ("{region} hoy (situación actual, fin de 2019)",
                    "{region} today (status quo, end of 2019)"),
    "today_peru": ("Perú", "Peru"),
    "today_intro": ("El modelo simuló los años 2000-2019 con las tendencias y los programas "
                    "de ese periodo (scenarios/peru_2000_2019.yaml); así queda {region} a fines "
                    "de 2019, el punto de partida de toda política. Es una sola corrida con "
                    "precisión rápida (1 niño simulado = {scale:g} niños reales, semilla "
                    "{seed}): las diferencias pequeñas entre {areas} son ruido.",
                    "The model simulated 2000-2019 with the trends and programs of those years "
                    "(scenarios/peru_2000_2019.yaml); this is how it leaves {region} at the "
                    "end of 2019, the starting point of every policy. One run at the fast "
                    "precision (1 simulated child = {scale:g} real children, seed {seed}): "
                    "small differences between {areas} are noise."),
    "areas_department": ("departamentos", "departments"),
    "areas_district": ("distritos", "districts"),
    "today_levels": ("A fines de 2019, según el modelo: desnutrición crónica {stunting:.1f}%, "
                     "anemia {anemia:.1f}%.",
                     "At the end of 2019, in the model: stunting {stunting:.1f}%, anemia "
                     "{anemia:.1f}%."),
    "today_running": ("Simulando la historia 2000-2019… {percent}%",
                      "Simulating the 2000-2019 history… {percent}%"),
    "today_failed": ("No se pudo simular la historia: {error}",
                     "The history could not be simulated: {error}"),
    "today_caption": ("situación actual, fin de 2019", "status quo, end of 2019"),
    "anemia_note_who2011": ("Anemia: Hb < 11 g/dL con el ajuste por altitud del CDC, como "
                            "ENDES hasta 2023.",
                            "Anemia: Hb < 11 g/dL with the CDC altitude adjustment, as ENDES "
                            "until 2023."),
    "anemia_note_who2024": ("Anemia: puntos de corte de la OMS de 2024 (10.5 g/dL de 6 a 23 "
                            "meses) con su ajuste por altitud, como el MINSA desde 2024; las "
                            "cifras de ENDES que se muestran usan el criterio anterior.",
                            "Anemia: WHO 2024 cut-offs (10.5 g/dL at 6-23 months) with their "
                            "altitude adjustment, as MINSA from 2024; the ENDES figures shown "
                            "use the earlier definition."),
    "anemia_note_peru": ("Anemia: Hb < 11 g/dL con la corrección por altitud propia del Perú "
                         "(INS); las cifras de ENDES que se muestran usan el ajuste del CDC.",
                         "Anemia: Hb < 11 g/dL with Peru's own altitude correction (INS); the "
                         "ENDES figures shown use the CDC adjustment."),
    "history_title": ("Historia 2000-2019: el modelo frente a la ENDES",
                      "History 2000-2019: the model against ENDES"),
    "history_hint": ("Puntos rojos: la ENDES (en julio de cada año, con su intervalo de muestreo "
                     "de 90% cuando se conoce el tamaño de la muestra); línea gris: el modelo, "
                     "mes a mes. Pase el cursor por un punto para ver la cifra de la encuesta y "
                     "la del modelo.",
                     "Red points: ENDES (in July of each year, with its 90% sampling interval "
                     "where the sample size is known); grey line: the model, month by month. "
                     "Hover over a point for the survey's figure and the model's."),
    "survey": ("ENDES", "ENDES"),
    "survey_interval_name": ("ENDES, intervalo 90%", "ENDES, 90% interval"),
    "model_history": ("Modelo", "Model"),
    "survey_point": ("ENDES {year}: {value:.1f}%; modelo (julio): {model:.1f}%",
                     "ENDES {year}: {value:.1f}%; model (July): {model:.1f}%"),
    "survey_interval": ("intervalo de muestreo de 90%: {low:.1f} – {high:.1f}%",
                        "90% sampling interval: {low:.1f} – {high:.1f}%"),
    # equity
    "equity": ("Equidad", "Equity"),
    "group": ("Grupo", "Group"),
    "urban": ("Urbano", "Urban"),
    "rural": ("Rural", "Rural"),
    "Costa": ("Costa", "Coast"),
    "Sierra": ("Sierra", "Highlands"),
    "Selva": ("Selva", "Amazon"),
    "quintile": ("Quintil {q}", "Quintile {q}"),
    "quintile_poorest": ("Quintil 1 (el más pobre)", "Quintile 1 (poorest)"),
    "quintile_richest": ("Quintil 5 (el más rico)", "Quintile 5 (richest)"),
    "national": ("Total", "Total"),
    "equity_hint": ("Barras: medianas; líneas negras: intervalo 90%. En la tabla, el intervalo "
                    "va entre paréntesis.",
                    "Bars: medians; black lines: 90% interval. In the table the interval is in "
                    "brackets."),
    # downloads
    "downloads": ("Descargas", "Downloads"),
    "download_csv": ("Resultados (CSV)", "Results (CSV)"),
    "download_summary": ("Resumen (CSV)", "Summary (CSV)"),
    "download_xlsx": ("Resumen (Excel)", "Summary (Excel)"),
    "download_png": ("Gráfico de trayectorias (PNG)", "Trajectory chart (PNG)"),
    "download_map_png": ("Mapa (PNG)", "Map (PNG)"),
    "download_equity_png": ("Gráfico de equidad (PNG)", "Equity chart (PNG)"),
    "download_title": ("{region}, simulado: {policy} frente a {reference}",
                       "{region}, simulated: {policy} vs. {reference}"),
    "download_note": ("Resultados simulados por el modelo, no observados · {interval} · "
                      "{n} simulaciones · generado el {date}",
                      "Results simulated by the model, not observed · {interval} · {n} runs · "
                      "made on {date}"),
    "policy_file": ("Política «{file}»", "Policy “{file}”"),
    "policy_file_changed": ("Política «{file}» con cambios", "Policy “{file}” with changes"),
}
